/**
 * The engine at size over HTTP: the large config (first /available, /available after each of a
 * series of bookings, memory), then 100 calendars with 500,000 bookings (start-up, memory,
 * /available of every calendar, first and warm). Each on its own config and SQLite file.
 */
import { join } from 'node:path';
import { LARGE_SCENARIO } from '../engine-sizes.js';
import { log, type Phase } from '../harness.js';
import { percentile } from '../load.js';
import { describeLoad, otherLoad, rssBytes } from '../machine-load.js';
import { migrate } from '../servers.js';
import {
  LARGE_ID,
  MANY_CALENDARS,
  MANY_SCENARIO,
  book,
  seedLarge,
  seedMany,
  timedAvailable,
  writeLargeConfig,
  writeManyConfig,
} from '../sizes.js';

const BOOKINGS = 30;
const MANY_ROUNDS = 5;
const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;
const stats = (times: readonly number[]) => {
  const sorted = Float64Array.from(times).sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
};

export const sizesPhase: Phase = {
  name: 'sizes',
  async run(bench) {
    const now = Date.now();

    const largeConfig = join(bench.workDir, 'large.yaml');
    const largeDb = join(bench.workDir, 'large.db');
    writeLargeConfig(largeConfig);
    migrate(largeConfig, `sqlite:${largeDb}`);
    const largeBookings = seedLarge(largeDb, now);
    const large = await bench.launch(
      {
        name: 'slotline (large config)',
        config: largeConfig,
        database: `sqlite:${largeDb}`,
        logFile: `${largeDb}.log`,
      },
      { waitForSync: false },
    );
    const largeStartup = Date.now() - large.startedAt;
    // Metered while its requests run, so that neither the server itself nor the phase's migrations
    // and seeding count as other processes' load.
    const largeLoad = otherLoad(() => [large.pid]);
    const first = await timedAvailable(large, LARGE_ID);
    const afterBooking: number[] = [];
    let slots = first.slots;
    for (let i = 0; i < BOOKINGS; i++) {
      // A slot further out each time, so the bookings fall on many days.
      await book(large, LARGE_ID, `sizes-${i}`, slots[(i * 31 + 7) % slots.length]!);
      const answer = await timedAvailable(large, LARGE_ID);
      afterBooking.push(answer.ms);
      slots = answer.slots;
    }
    const largeRss = rssBytes(large.pid);
    const largeOther = largeLoad();
    bench.checkHealthy();
    await bench.stop(large);
    const after = stats(afterBooking);
    log(
      `large config: ready ${largeStartup} ms after start, first /available ${first.ms.toFixed(1)} ms ` +
        `(${first.slots.length} slots), after a booking p50 ${after.p50.toFixed(2)} ms, p99 ${after.p99.toFixed(2)} ms; ` +
        `RSS ${mb(largeRss)}`,
    );

    const manyConfig = join(bench.workDir, 'many.yaml');
    const manyDb = join(bench.workDir, 'many.db');
    writeManyConfig(manyConfig);
    migrate(manyConfig, `sqlite:${manyDb}`);
    const seeding = Date.now();
    const manyBookings = seedMany(manyDb, now);
    log(
      `seeded ${manyBookings.toLocaleString('en-US')} bookings of ${MANY_CALENDARS} calendars in ${Date.now() - seeding} ms`,
    );
    const many = await bench.launch(
      { name: 'slotline (many calendars)', config: manyConfig, database: `sqlite:${manyDb}`, logFile: `${manyDb}.log` },
      { waitForSync: false },
    );
    const manyStartup = Date.now() - many.startedAt;
    const manyLoad = otherLoad(() => [many.pid]);
    const firstOfEach: number[] = [];
    const warm: number[] = [];
    for (let round = 0; round < MANY_ROUNDS; round++) {
      for (let c = 0; c < MANY_CALENDARS; c++)
        (round === 0 ? firstOfEach : warm).push((await timedAvailable(many, `c${c}`)).ms);
    }
    const manyRss = rssBytes(many.pid);
    const manyOther = manyLoad();
    bench.checkHealthy();
    await bench.stop(many);
    const cold = stats(firstOfEach);
    const hot = stats(warm);
    return {
      title: 'The engine at size (over HTTP, SQLite)',
      scenario: `the large config: ${LARGE_SCENARIO}; many calendars: ${MANY_SCENARIO}`,
      table: {
        kind: 'load',
        rows: [
          {
            scenario: 'large config: first `/available` (one request)',
            p50: first.ms,
            target: '< 200 ms',
            met: first.ms < 200,
            other: largeOther,
          },
          {
            scenario: `large config: \`/available\` after each of ${BOOKINGS} bookings`,
            p50: after.p50,
            p99: after.p99,
            target: '< 20 ms',
            met: Math.max(...afterBooking) < 20,
            other: largeOther,
          },
          {
            scenario: `many calendars: first \`/available\` of each of the ${MANY_CALENDARS}`,
            p50: cold.p50,
            p99: cold.p99,
            other: manyOther,
          },
          {
            scenario: `many calendars: \`/available\` of each, ${MANY_ROUNDS - 1} rounds more`,
            p50: hot.p50,
            p99: hot.p99,
            other: manyOther,
          },
        ],
      },
      notes: [
        `Large config: ${largeBookings.toLocaleString('en-US')} bookings; ready ${largeStartup} ms after start; ` +
          `first answer ${first.slots.length} slots; slowest answer after a booking ${Math.max(...afterBooking).toFixed(1)} ms; ` +
          `resident memory ${mb(largeRss)} after the bookings (the heap is part of it; target < 300 MB heap).`,
        `Many calendars: ready ${manyStartup} ms after start; resident memory ${mb(manyRss)} after ` +
          `${MANY_ROUNDS} rounds over every calendar.`,
        'Requests one at a time from the bench process, each timed from sending to the whole answer read; ' +
          `other processes used ${describeLoad(largeOther)} (large config) and ${describeLoad(manyOther)} ` +
          '(many calendars) meanwhile.',
      ],
      other: Math.max(largeOther, manyOther),
    };
  },
};
