/** The simulator's mixed call pattern on the storm calendar, on another fresh copy of the seed, then the same check. */
import { BenchFailure, log, type Phase } from '../harness.js';
import { describeLoad } from '../machine-load.js';
import { perRequest } from '../report.js';
import { STORM_ID, STORM_RESOURCES } from '../scenario.js';
import { SIMULATION_CALLS, SIMULATION_CONCURRENCY, simulate, simulationProblem } from '../simulation.js';
import { checkDoubles } from '../workloads.js';
import { STORM_SCENARIO } from './scenarios.js';

export const simulatorPhase: Phase = {
  name: 'simulator',
  async run(bench) {
    const { server, database } = await bench.launchOnSeed('simulation', 'slotline (simulator)');
    const sim = await bench.metered(server, () =>
      simulate({ url: server.url, calendarId: STORM_ID, resources: STORM_RESOURCES }),
    );
    bench.checkHealthy();
    await bench.stop(server);
    const seconds = sim.durationMs / 1000;
    const { available, book } = sim.latencyMs;
    log(
      `simulator: ${sim.calls} calls in ${seconds.toFixed(2)} s, ${sim.throughput.callsPerSecond} calls/s, ` +
        `${sim.throughput.requestsPerSecond} req/s; /available p50 ${available.p50} ms p99 ${available.p99} ms; ` +
        `/book p50 ${book.p50} ms p99 ${book.p99} ms; outcomes ${JSON.stringify(sim.outcomes)}; ` +
        `/book ${JSON.stringify(sim.book)}; other processes used ${describeLoad(sim.other)}`,
    );
    const check = await checkDoubles('simulation', database);
    const problem = simulationProblem(sim);
    if (problem) throw new BenchFailure(`simulator: ${problem}`);
    const other = sim.other;
    return {
      title: 'Simulator (SQLite)',
      scenario: `${STORM_SCENARIO} ${SIMULATION_CALLS.toLocaleString('en-US')} simulated calls at concurrency ${SIMULATION_CONCURRENCY}.`,
      table: {
        kind: 'load',
        rows: [
          {
            scenario: `simulator on \`${STORM_ID}\`: calls/s (${SIMULATION_CALLS.toLocaleString('en-US')} calls, concurrency ${SIMULATION_CONCURRENCY})`,
            rps: sim.throughput.callsPerSecond,
            other,
            target: 'no double booking',
            met: sim.overbooking.doubleBookings.length === 0 && check.doubles.length === 0,
          },
          { scenario: 'simulator: all requests', rps: sim.throughput.requestsPerSecond, other },
          {
            scenario: 'simulator: `/available` answers',
            rps: available.count / seconds,
            p50: available.p50,
            p99: available.p99,
            other,
          },
          { scenario: 'simulator: `/book` answers', rps: book.count / seconds, p50: book.p50, p99: book.p99, other },
          { scenario: 'simulator: successful bookings/s (retries left out)', rps: sim.book.succeeded / seconds, other },
        ],
      },
      notes: [
        `Seed ${sim.seed}, ${seconds.toFixed(2)} s. Outcomes: ${sim.outcomes.booked} booked, ${sim.outcomes.gaveUp} ` +
          `gave up, ${sim.outcomes.nothingOffered} offered nothing, ${sim.outcomes.broken} broken; \`/book\` answers: ` +
          `${sim.book.succeeded} successes, ${sim.book.conflicts} conflicts, ${sim.book.otherFailures} other failures` +
          `${sim.book.otherReasons.length ? ` (${sim.book.otherReasons.join(' / ')})` : ''}; retries ` +
          `${sim.retries.sent} (idempotency violations ${sim.retries.idempotencyViolations}); mind changes ` +
          `${sim.mindChanges.succeeded} of ${sim.mindChanges.attempted}; HTTP ${sim.http.requests} requests, ` +
          `${sim.http.non2xx} non-2xx, ${sim.http.timeouts} timeouts.`,
        `Double bookings: ${sim.overbooking.doubleBookings.length} seen by the simulator (most holders of one ` +
          `start: ${sim.overbooking.mostHoldersOnOneStart} of ${STORM_RESOURCES}), ${check.doubles.length} in the ` +
          `database; starts offered while full: ${sim.overbooking.offeredWhileFull.length}.`,
        `Server CPU per request: ${perRequest(sim.serverCpu, sim.http.requests)}.`,
      ],
    };
  },
};
