/** The /book storm on the storm calendar, on a fresh copy of the seeded SQLite file, then the double-booking check. */
import type { Phase } from '../harness.js';
import { loadColumns, perRequest } from '../report.js';
import { STORM_ID, STORM_RESOURCES } from '../scenario.js';
import { checkDoubles, storm } from '../workloads.js';
import { STORM_SCENARIO } from './scenarios.js';

const STORM_TARGET = 1_000;

export const bookStormPhase: Phase = {
  name: 'book-storm',
  async run(bench) {
    const { server: booker, database } = await bench.launchOnSeed('book', 'slotline (/book)');
    const result = await storm(bench, booker, { prefix: 'storm-', label: '/book storm, 50 connections' });
    await bench.stop(booker);
    bench.figures.storm = result;
    const check = await checkDoubles('storm', database);
    const { seconds } = bench.settings;
    return {
      title: '`/book` storm (SQLite)',
      scenario: STORM_SCENARIO,
      table: {
        kind: 'load',
        rows: [
          {
            scenario: `\`/book\` storm on \`${STORM_ID}\`, 50 connections (all answers)`,
            ...loadColumns(result),
          },
          {
            scenario: `\`/book\` storm: successful bookings/s, average over the ${seconds} s`,
            rps: result.successRate,
            other: result.other,
            target: `≥ ${STORM_TARGET.toLocaleString('en-US')} bookings/s, none doubled`,
            met: result.successRate >= STORM_TARGET && check.doubles.length === 0,
          },
        ],
      },
      notes: [
        `${result.successes} of ${result.requests} storm answers said success over the ${result.grid.length} ` +
          `quarter-hour starts (${STORM_RESOURCES} resources each); per second: ${result.perSecond.join(', ')}. ` +
          `The warm-up booked ${result.warmUpSuccesses}.` +
          (result.firstFailure ? ` First failure: ${result.firstFailure}` : ''),
        `Server CPU per request: ${perRequest(result.serverCpu, result.requests)}.`,
        `Double bookings after the storm, over the whole table: ${check.doubles.length} of ${check.activeRows} ` +
          `active rows (${Object.entries(check.perCalendar)
            .map(([id, n]) => `${id}: ${n}`)
            .join(', ')}).`,
      ],
    };
  },
};
