/** The engine alone, in this process, no HTTP and no database; first, while no server runs. */
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
    const other = load();
    log(
      `engine: listSlots ${Math.round(engine.listing.opsPerSecond)}/s (mean ${micro(engine.listing.meanMs)}, ` +
        `p99 ${micro(engine.listing.p99Ms)}); building loads from ${engine.ranges} ranges ` +
        `${engine.building.meanMs.toFixed(1)} ms; all ${engine.allSlots} free slots ` +
        `${engine.worst.meanMs.toFixed(2)} ms (other processes used ${describeLoad(other)})`,
    );
    return {
      title: 'Engine alone (in-process, no HTTP, no database)',
      scenario: ENGINE_SCENARIO,
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
        ],
      },
      notes: [
        `Each measurement ran ${seconds} s after a warm-up; other processes used ${describeLoad(other)} meanwhile.`,
        `The loads hold ${engine.blockedIntervals.toLocaleString('en-US')} merged intervals, ` +
          `${(engine.coverage * 100).toFixed(0)} % of the open time.`,
      ],
      other,
    };
  },
};
