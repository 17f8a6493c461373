/** The engine alone, in this process, no HTTP and no database; first, while no server runs. */
import { LARGE_SCENARIO, REFERENCE_RECOMPUTE_SCENARIO, engineSizesBenchmark } from '../engine-sizes.js';
import { ENGINE_SCENARIO, engineBenchmark } from '../engine.js';
import { log, type Phase } from '../harness.js';
import { describeLoad, otherLoad } from '../machine-load.js';
import { micro } from '../report.js';

export const enginePhase: Phase = {
  name: 'engine',
  async run(bench) {
    const seconds = bench.settings.engineSeconds;
    const load = otherLoad();
    const engine = engineBenchmark({ seconds });
    const sizes = engineSizesBenchmark({ seconds });
    const other = load();
    log(
      `engine: listSlots ${Math.round(engine.listing.opsPerSecond)}/s (mean ${micro(engine.listing.meanMs)}, ` +
        `p99 ${micro(engine.listing.p99Ms)}); building loads from ${engine.ranges} ranges ` +
        `${engine.building.meanMs.toFixed(1)} ms; all ${engine.allSlots} free slots ` +
        `${engine.worst.meanMs.toFixed(2)} ms; reference recomputation p50 ${micro(sizes.recompute.p50Ms)}; ` +
        `large config first answer p50 ${sizes.first.p50Ms.toFixed(1)} ms, after a booking ` +
        `p50 ${sizes.afterBooking.p50Ms.toFixed(2)} ms (other processes used ${describeLoad(other)})`,
    );
    return {
      title: 'Engine alone (in-process, no HTTP, no database)',
      scenario: 'in the notes: (a)-(c) one scenario, (d) the reference calendar, (e) and (f) the large config',
      table: {
        kind: 'engine',
        rows: [
          { measurement: '(a) `listSlots`, max_slots 40, prebuilt loads', ...engine.listing },
          {
            measurement: `(b) building the ${engine.ranges.toLocaleString('en-US')} ranges into ResourceLoads`,
            ...engine.building,
          },
          {
            measurement: `(c) \`listSlots\`, max_slots 100,000: all ${engine.allSlots.toLocaleString('en-US')} free slots`,
            ...engine.worst,
          },
          {
            measurement:
              `(d) reference scenario, full recomputation: ${sizes.referenceBookings.toLocaleString('en-US')} ` +
              `bookings into loads, then all ${sizes.referenceSlots.toLocaleString('en-US')} free slots (target ≤ 1 ms)`,
            ...sizes.recompute,
          },
          {
            measurement: `(e) large config, first answer: loads, ${sizes.largeSlots} slots (target < 200 ms)`,
            ...sizes.first,
          },
          { measurement: '(f) large config, answer after a booking (target < 20 ms)', ...sizes.afterBooking },
        ],
      },
      notes: [
        `(a)-(c): ${ENGINE_SCENARIO}.`,
        `(d): ${REFERENCE_RECOMPUTE_SCENARIO}; Cal.com's slot pipeline took about 1 s on that input (issue 12).`,
        `(e), (f): ${LARGE_SCENARIO}. (e) starts each call on fresh schedules and an empty offer memo; ` +
          `(f) applies ${sizes.bookingsMade.toLocaleString('en-US')} bookings one after another, each on another ` +
          `resource and day, as \`applyChange\` does. The heap target (< 300 MB) is measured on the server ` +
          `in the \`sizes\` phase.`,
        `Each measurement ran ${seconds} s after a warm-up; other processes used ${describeLoad(other)} meanwhile.`,
        `The loads hold ${engine.blockedIntervals.toLocaleString('en-US')} merged intervals, ` +
          `${(engine.coverage * 100).toFixed(0)} % of the open time.`,
      ],
      other,
    };
  },
};
