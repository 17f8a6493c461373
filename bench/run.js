/**
 * `npm run bench`: the load benchmark of DESIGN §5 in one run, side by side with the ceiling.
 *
 *   1. seed the reference scenario into a fresh SQLite file (real migrations, then bulk insert);
 *      the config also holds the `storm` calendar (around the clock, 60 days, 57,600 bookings of room);
 *   2. the engine alone, in this process: listSlots and load building on 100,000 busy intervals;
 *   3. /available at saturation against a bare Fastify route answering the same bytes;
 *   4. /available at a steady 1,000 requests a second, the bare route too;
 *   5. a /book storm on the storm calendar, on a fresh copy of the seeded database, then the
 *      double-booking check over the whole table;
 *   6. the simulator's mixed call pattern on the storm calendar, on another fresh copy, then the same check.
 *
 * Missing a target is reported, not fatal (exit 0). A double booking, an idempotency violation, a
 * 5xx answer or a crashed server fails the run (exit 1). Set BENCH_CPU_PROF=1 to write V8 CPU
 * profiles of the Slotline processes into bench/profiles/.
 */
/* global process, console, fetch, setTimeout, clearTimeout, Buffer, URL */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bookStorm, findDoubleBookings, successesPerSecond } from './book-storm.js';
import { ENGINE_SCENARIO, engineBenchmark } from './engine.js';
import { measure, warmUp } from './load.js';
import { cpuSeconds, describeLoad, otherLoad } from './machine-load.js';
import { engineTable, table, writeResults, machine } from './report.js';
import { FUTURE_BOOKINGS, PAST_BOOKINGS, seed } from './seed.js';
import { STORM_CAPACITY, STORM_HORIZON_DAYS, STORM_ID, STORM_RESOURCES, stormGrid, writeConfig } from './scenario.js';
import { migrate, startBare, startSlotline, stop } from './servers.js';
import { SIMULATION_CALLS, SIMULATION_CONCURRENCY, simulate, simulationProblem } from './simulation.js';

const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const PROFILES = fileURLToPath(new URL('./profiles/', import.meta.url));
const SECONDS = 10;
const WARM_UP_SECONDS = 2;
const SATURATION_CONNECTIONS = 50;
const STEADY_RATE = 1_000;
const STEADY_CONNECTIONS = 20;
const ENGINE_SECONDS = 3;
const STORM_TARGET = 1_000;
/** The whole run must stay under 4 minutes; past this, something hangs: give up loudly. */
const WATCHDOG_MS = 235_000;
const AVAILABLE_BODY = JSON.stringify({ contact_id: 'bench' });
const STORM_PATH = `/calendars/${STORM_ID}`;
/** Past this share of the machine used by other processes during a phase, its figures are called disturbed. */
const DISTURBED = 0.1;

const SCENARIO =
  'calendar `reference`: 10 resources open 08:00-20:00 every day (Europe/Berlin), 30-minute slots on a ' +
  `15-minute grid, 30-day horizon, max_slots 40, min_notice 0, no buffers; ${FUTURE_BOOKINGS.toLocaleString('en-US')} ` +
  `active bookings over the horizon and ${PAST_BOOKINGS.toLocaleString('en-US')} past ones in the same table; SQLite. ` +
  `Calendar \`${STORM_ID}\` in the same config and database, for the /book storm and the simulator: ` +
  `${STORM_RESOURCES} resources open 00:00-24:00 every day, 15-minute slots on a 15-minute grid, ` +
  `${STORM_HORIZON_DAYS}-day horizon, max_slots 40, min_notice 0, no bookings seeded: room for ` +
  `${STORM_CAPACITY.toLocaleString('en-US')} bookings`;

const servers = [];
let workDir;

/** A server crash or a 5xx is a correctness failure, not a missed target. */
class BenchFailure extends Error {}

function log(message) {
  console.log(`[bench] ${message}`);
}

function checkHealthy(result, label) {
  for (const server of servers) if (server.crashed) throw new BenchFailure(server.crashed);
  if (result && result.status5xx > 0) throw new BenchFailure(`${label}: ${result.status5xx} answers were 5xx`);
}

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

function describe(label, result) {
  const problems = result.non2xx + result.errors + result.timeouts;
  log(
    `${label}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms` +
      ` (${result.requests} requests in ${result.seconds} s${problems ? `; non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}` : ''}` +
      `; server CPU ${cpuPerRequest(result)} a request; other processes used ${describeLoad(result.other)})`,
  );
}

/**
 * Runs `run()` and adds `other`, the share of the machine other processes used meanwhile, and
 * `serverCpu`, the CPU seconds the server used meanwhile.
 */
async function metered(server, run) {
  const end = otherLoad(() => [server.child.pid]);
  const cpuBefore = cpuSeconds(server.child.pid);
  const result = await run();
  return { ...result, other: end(), serverCpu: cpuSeconds(server.child.pid) - cpuBefore };
}

/** Server CPU per request in µs, e.g. "38 µs". */
const cpuPerRequest = (result, requests = result.requests) =>
  Number.isFinite(result.serverCpu) ? `${Math.round((result.serverCpu / requests) * 1e6)} µs` : 'unknown';

async function launch(options) {
  const server = await startSlotline(options);
  servers.push(server);
  return server;
}

/** Seeds the database once; each Slotline gets its own copy so the storm starts from the seed. */
function prepare() {
  workDir = mkdtempSync(join(os.tmpdir(), 'slotline-bench-'));
  const config = join(workDir, 'slotline.yaml');
  const seeded = join(workDir, 'seed.db');
  writeConfig(config);
  migrate(config, seeded);
  const started = Date.now();
  const written = seed(seeded);
  log(
    `seeded ${written.future} future and ${written.past} past bookings of the reference calendar in ` +
      `${Date.now() - started} ms`,
  );
  return { config, seeded };
}

/** Fetches one real /available answer: the bare route will send exactly these bytes. */
async function captureAvailableAnswer(server) {
  const response = await fetch(`${server.url}/available`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: AVAILABLE_BODY,
  });
  const text = await response.text();
  if (response.status !== 200) throw new BenchFailure(`/available answered ${response.status}: ${text}`);
  const slots = JSON.parse(text).available?.length;
  log(`/available answers ${slots} slots in ${Buffer.byteLength(text)} bytes`);
  return { text, slots };
}

async function saturation(server) {
  const options = { url: `${server.url}/available`, connections: SATURATION_CONNECTIONS, body: AVAILABLE_BODY };
  await warmUp(options, WARM_UP_SECONDS);
  return metered(server, () => measure({ ...options, duration: SECONDS }));
}

function steady(server) {
  return metered(server, () =>
    measure({
      url: `${server.url}/available`,
      connections: STEADY_CONNECTIONS,
      overallRate: STEADY_RATE,
      duration: SECONDS,
      body: AVAILABLE_BODY,
    }),
  );
}

async function main() {
  const nodeFlags = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`] : [];
  if (nodeFlags.length) mkdirSync(PROFILES, { recursive: true });
  const { config, seeded } = prepare();
  const availableDb = join(workDir, 'available.db');
  const bookDb = join(workDir, 'book.db');
  const simulationDb = join(workDir, 'simulation.db');
  for (const copy of [availableDb, bookDb, simulationDb]) copyFileSync(seeded, copy);

  // --- the engine alone, first, while no server runs ---
  const engineLoad = otherLoad();
  const engine = engineBenchmark({ seconds: ENGINE_SECONDS });
  engine.other = engineLoad();
  log(
    `engine: listSlots ${Math.round(engine.listing.opsPerSecond)}/s (mean ${micro(engine.listing.meanMs)}, ` +
      `p99 ${micro(engine.listing.p99Ms)}); building loads from ${engine.ranges} ranges ` +
      `${engine.building.meanMs.toFixed(1)} ms; all ${engine.allSlots} free slots ` +
      `${engine.worst.meanMs.toFixed(2)} ms (other processes used ${describeLoad(engine.other)})`,
  );

  // --- /available and its ceiling ---
  const slotline = await launch({
    name: 'slotline (/available)',
    config,
    dbPath: availableDb,
    logFile: join(workDir, 'available.log'),
    nodeFlags,
  });
  const answer = await captureAvailableAnswer(slotline);
  const bodyFile = join(workDir, 'bare-body.json');
  writeFileSync(bodyFile, answer.text);
  const bare = await startBare({ bodyFile, logFile: join(workDir, 'bare.log') });
  servers.push(bare);

  // Bare right before Slotline, same options, so both see the same machine state.
  const bareResult = await saturation(bare);
  checkHealthy(bareResult, 'bare');
  describe('bare fastify, 50 connections', bareResult);
  // The same steady load on the ceiling: what the machine and the load generator add to a p99.
  const bareSteadyResult = await steady(bare);
  checkHealthy(bareSteadyResult, 'bare steady');
  describe('bare fastify, steady 1,000 req/s', bareSteadyResult);
  await stop(bare);

  const availableResult = await saturation(slotline);
  checkHealthy(availableResult, '/available saturation');
  describe('/available, 50 connections', availableResult);

  const steadyResult = await steady(slotline);
  checkHealthy(steadyResult, '/available steady');
  describe('/available, steady 1,000 req/s', steadyResult);
  await stop(slotline);

  // --- /book storm on the storm calendar, on a fresh copy ---
  const booker = await launch({
    name: 'slotline (/book)',
    config,
    dbPath: bookDb,
    logFile: join(workDir, 'book.log'),
    nodeFlags,
  });
  // A minute of margin at both ends, so no start turns "past" or "beyond the horizon" mid-run.
  const grid = stormGrid(Date.now(), 60_000);
  // Warm up as telli calls: /available first (it also loads the calendar into memory), then /book
  // with its own contacts on the far half of the grid, so the measured storm starts on free starts.
  await warmUp(
    { url: `${booker.url}${STORM_PATH}/available`, connections: SATURATION_CONNECTIONS, body: AVAILABLE_BODY },
    1,
  );
  const stormWarmUp = await bookStorm({
    url: booker.url,
    path: `${STORM_PATH}/book`,
    grid,
    connections: SATURATION_CONNECTIONS,
    duration: WARM_UP_SECONDS,
    prefix: 'warm-',
    offset: Math.floor(grid.length / 2),
  });
  checkHealthy(stormWarmUp, '/book warm-up');
  const stormResult = await metered(booker, () =>
    bookStorm({
      url: booker.url,
      path: `${STORM_PATH}/book`,
      grid,
      connections: SATURATION_CONNECTIONS,
      duration: SECONDS,
      prefix: 'storm-',
    }),
  );
  checkHealthy(stormResult, '/book storm');
  describe('/book storm, 50 connections', stormResult);
  await stop(booker);
  checkHealthy(null);

  const perSecond = successesPerSecond(stormResult.successTimes, stormResult.seconds);
  const successRate = stormResult.successes / stormResult.seconds;
  log(
    `/book successes: ${stormResult.successes} of ${stormResult.requests} (${Math.round(successRate)}/s); ` +
      `per second: ${perSecond.join(' ')}`,
  );
  if (stormResult.firstFailure) log(`first failed /book answer: ${stormResult.firstFailure}`);

  const stormCheck = findDoubleBookings(bookDb);
  log(`active bookings per calendar after the storm: ${JSON.stringify(stormCheck.perCalendar)}`);
  console.log(`double bookings after the storm: ${stormCheck.doubles.length}`);
  if (stormCheck.doubles.length > 0) {
    throw new BenchFailure(`overlapping active bookings, e.g. ${JSON.stringify(stormCheck.doubles.slice(0, 5))}`);
  }

  // --- the simulator's mixed call pattern, on another fresh copy ---
  const simulated = await launch({
    name: 'slotline (simulator)',
    config,
    dbPath: simulationDb,
    logFile: join(workDir, 'simulation.log'),
    nodeFlags,
  });
  const sim = await metered(simulated, () =>
    simulate({ url: simulated.url, calendarId: STORM_ID, resources: STORM_RESOURCES }),
  );
  await stop(simulated);
  checkHealthy(null);
  const simSeconds = sim.durationMs / 1000;
  log(
    `simulator: ${sim.calls} calls in ${simSeconds.toFixed(2)} s, ${sim.throughput.callsPerSecond} calls/s, ` +
      `${sim.throughput.requestsPerSecond} req/s; /available p50 ${sim.latencyMs.available.p50} ms p99 ` +
      `${sim.latencyMs.available.p99} ms; /book p50 ${sim.latencyMs.book.p50} ms p99 ${sim.latencyMs.book.p99} ms; ` +
      `outcomes ${JSON.stringify(sim.outcomes)}; /book ${JSON.stringify(sim.book)}; ` +
      `other processes used ${describeLoad(sim.other)}`,
  );
  const simCheck = findDoubleBookings(simulationDb);
  console.log(
    `double bookings after the simulation: ${simCheck.doubles.length} in the database, ` +
      `${sim.overbooking.doubleBookings.length} seen by the simulator`,
  );
  if (simCheck.doubles.length > 0) {
    throw new BenchFailure(
      `overlapping active bookings after the simulation, e.g. ${JSON.stringify(simCheck.doubles.slice(0, 5))}`,
    );
  }
  const simProblem = simulationProblem(sim);
  if (simProblem) throw new BenchFailure(`simulator: ${simProblem}`);

  const ratio = availableResult.rps / bareResult.rps;
  const noDoubles = stormCheck.doubles.length === 0;
  const rows = [
    {
      scenario: 'bare Fastify route, 50 connections (ceiling)',
      rps: bareResult.rps,
      p50: bareResult.p50,
      p99: bareResult.p99,
      other: bareResult.other,
      ratio: 1,
    },
    {
      scenario: '`/available`, 50 connections (saturation)',
      rps: availableResult.rps,
      p50: availableResult.p50,
      p99: availableResult.p99,
      other: availableResult.other,
      ratio,
      target: '≥ 0.5 × bare',
      met: ratio >= 0.5,
    },
    {
      scenario: 'bare Fastify route, steady 1,000 req/s, 20 connections',
      rps: bareSteadyResult.rps,
      p50: bareSteadyResult.p50,
      p99: bareSteadyResult.p99,
      other: bareSteadyResult.other,
    },
    {
      scenario: '`/available`, steady 1,000 req/s, 20 connections',
      rps: steadyResult.rps,
      p50: steadyResult.p50,
      p99: steadyResult.p99,
      other: steadyResult.other,
      target: 'p99 < 5 ms',
      met: steadyResult.p99 < 5 && steadyResult.rps >= STEADY_RATE * 0.95,
    },
    {
      scenario: '`/book` storm on `storm`, 50 connections (all answers)',
      rps: stormResult.rps,
      p50: stormResult.p50,
      p99: stormResult.p99,
      other: stormResult.other,
    },
    {
      scenario: `\`/book\` storm: successful bookings/s, average over the ${SECONDS} s`,
      rps: successRate,
      other: stormResult.other,
      target: `≥ ${STORM_TARGET.toLocaleString('en-US')} bookings/s, none doubled`,
      met: successRate >= STORM_TARGET && noDoubles,
    },
    {
      scenario: `simulator on \`storm\`: calls/s (${SIMULATION_CALLS.toLocaleString('en-US')} calls, concurrency ${SIMULATION_CONCURRENCY})`,
      rps: sim.throughput.callsPerSecond,
      other: sim.other,
      target: 'no double booking',
      met: sim.overbooking.doubleBookings.length === 0 && simCheck.doubles.length === 0,
    },
    {
      scenario: 'simulator: all requests',
      rps: sim.throughput.requestsPerSecond,
      other: sim.other,
    },
    {
      scenario: 'simulator: `/available` answers',
      rps: sim.latencyMs.available.count / simSeconds,
      p50: sim.latencyMs.available.p50,
      p99: sim.latencyMs.available.p99,
      other: sim.other,
    },
    {
      scenario: 'simulator: `/book` answers',
      rps: sim.latencyMs.book.count / simSeconds,
      p50: sim.latencyMs.book.p50,
      p99: sim.latencyMs.book.p99,
      other: sim.other,
    },
    {
      scenario: 'simulator: successful bookings/s (retries left out)',
      rps: sim.book.succeeded / simSeconds,
      other: sim.other,
    },
  ];
  const notes = [
    `The bare route answers the very bytes of one real \`/available\` answer (${answer.slots} slots, ` +
      `${Buffer.byteLength(answer.text)} bytes), pre-serialised; both ran with ${SATURATION_CONNECTIONS} connections ` +
      `for ${SECONDS} s after a ${WARM_UP_SECONDS} s warm-up, bare first; the steady runs (${STEADY_CONNECTIONS} ` +
      `connections, ${SECONDS} s) follow each saturation run on the same warm server, so the bare steady row shows ` +
      'what the machine and the load generator alone add to a p99.',
    'Servers run as child processes (Slotline with LOG_LEVEL=warn, bare Fastify with the logger off); autocannon ' +
      'runs in the bench process on the same 2 cores, so all figures include the load generator competing for CPU.',
    'Latencies are computed from autocannon’s raw per-response times of 2xx answers (sub-millisecond precision), ' +
      'not its whole-millisecond histogram.',
    'Server CPU per request (user + system time of the server process from /proc, divided by the requests ' +
      `answered; it does not depend on the load generator’s share of the cores): at saturation bare ` +
      `${cpuPerRequest(bareResult)}, \`/available\` ${cpuPerRequest(availableResult)} ` +
      `(${fixed(availableResult.serverCpu / availableResult.requests / (bareResult.serverCpu / bareResult.requests), 1)} × bare); ` +
      `at steady 1,000 req/s bare ${cpuPerRequest(bareSteadyResult)}, \`/available\` ${cpuPerRequest(steadyResult)}; ` +
      `\`/book\` storm ${cpuPerRequest(stormResult)}; simulator run ${cpuPerRequest(sim, sim.http.requests)}.`,
    `\`/book\` storm: request N is contact storm-N booking the N-th (cyclically) of the ${grid.length} quarter-hour ` +
      `starts of calendar \`${STORM_ID}\`'s horizon, at \`${STORM_PATH}/book\`, on a fresh copy of the seeded database. ` +
      `Each start has ${STORM_RESOURCES} resources, so the first ${STORM_RESOURCES} passes over the grid can all ` +
      `succeed and capacity never binds. Before it: 1 s of \`/available\` on \`${STORM_ID}\` and a ` +
      `${WARM_UP_SECONDS} s \`/book\` warm-up by other contacts on the far half of the grid ` +
      `(${stormWarmUp.successes} bookings). ${stormResult.successes} of ${stormResult.requests} storm answers said ` +
      `success; per second: ${perSecond.join(', ')}.` +
      (stormResult.firstFailure ? ` First failure: ${stormResult.firstFailure}` : ''),
    `Double bookings after the storm, over the whole table (active bookings overlapping on one resource, any ` +
      `calendar): ${stormCheck.doubles.length} of ${stormCheck.activeRows} active rows ` +
      `(${Object.entries(stormCheck.perCalendar)
        .map(([id, n]) => `${id}: ${n}`)
        .join(', ')}).`,
    `Simulator (\`runSimulation\`, seed ${sim.seed}): ${sim.calls} calls at concurrency ${SIMULATION_CONCURRENCY} ` +
      `against a fresh Slotline on another fresh copy of the seeded database, calendar \`${STORM_ID}\`, in ` +
      `${simSeconds.toFixed(2)} s. Each call asks \`/available\`, books mostly one of the first three offered ` +
      'starts (sometimes a later day), tries up to three times; 10 % retry the same booking, 10 % change their ' +
      `mind. Outcomes: ${sim.outcomes.booked} booked, ${sim.outcomes.gaveUp} gave up, ` +
      `${sim.outcomes.nothingOffered} offered nothing, ${sim.outcomes.broken} broken; \`/book\` answers: ` +
      `${sim.book.succeeded} successes, ${sim.book.conflicts} conflicts (slot taken meanwhile), ` +
      `${sim.book.otherFailures} other failures${sim.book.otherReasons.length ? ` (${sim.book.otherReasons.join(' / ')})` : ''}; ` +
      `retries ${sim.retries.sent} (idempotency violations ${sim.retries.idempotencyViolations}); mind changes ` +
      `${sim.mindChanges.succeeded} of ${sim.mindChanges.attempted}; HTTP ${sim.http.requests} requests, ` +
      `${sim.http.non2xx} non-2xx, ${sim.http.timeouts} timeouts. Double bookings: ` +
      `${sim.overbooking.doubleBookings.length} seen by the simulator (most holders of one start: ` +
      `${sim.overbooking.mostHoldersOnOneStart} of ${STORM_RESOURCES}), ${simCheck.doubles.length} in the database; ` +
      `starts offered while full: ${sim.overbooking.offeredWhileFull.length}. The simulator runs in the bench ` +
      'process (Node fetch), so it competes with the server for the same 2 cores: its rates are those of the ' +
      'pair, not of Slotline alone.',
    'History: before availability was served from memory, every request read all 5,000 horizon bookings from ' +
      'SQLite (6 ms): `/available` did 141 req/s at saturation (ratio 0.002, p99 4.8 s) and `/book` about 90 ' +
      'successes/s.',
  ];
  const disturbed = [
    ...rows.filter((row) => row.other > DISTURBED).map((row) => row.scenario),
    ...(engine.other > DISTURBED ? ['the engine micro-benchmark'] : []),
  ];
  notes.push(
    'Other processes: the last column is the share of the machine’s CPU (all cores) that processes other than ' +
      'the bench and its servers used while that figure was measured (from /proc). ' +
      (disturbed.length > 0
        ? `**Over ${DISTURBED * 100} % during: ${disturbed.join('; ')}.** Those figures are disturbed by other work ` +
          'on the machine and understate Slotline; run again on a quiet machine before trusting them.'
        : `It stayed under ${DISTURBED * 100} % throughout.`),
  );
  const engineRows = [
    {
      measurement: '(a) `listSlots`, max_slots 40, prebuilt loads',
      ...engine.listing,
    },
    {
      measurement: `(b) building the ${engine.ranges.toLocaleString('en-US')} ranges into ResourceLoads`,
      ...engine.building,
    },
    {
      measurement: `(c) \`listSlots\`, max_slots 100,000: all ${engine.allSlots.toLocaleString('en-US')} free slots`,
      ...engine.worst,
    },
  ];
  const engineNotes = [
    `Each measurement runs ${ENGINE_SECONDS} s after a warm-up, timing every call with performance.now(); ` +
      'one fixed `now`, so the grid caches of the engine are warm, as in the server. Other processes used ' +
      `${describeLoad(engine.other)} meanwhile.`,
    `Loads: \`groupByResource\` and \`resourceLoad\` from dist/booking/resource-loads.js on one shared schedule, ` +
      `from ranges ordered by blocked end as the covering index returns them; they hold ` +
      `${engine.blockedIntervals.toLocaleString('en-US')} merged intervals, ${(engine.coverage * 100).toFixed(0)} % ` +
      'of the open time. (b) is what a window read from the database costs in memory; the server does it only ' +
      'when another process changed the bookings or the window moves.',
    '(a) is what the server computes after each booking change (else the answer is reused until `slotsValidUntil`).',
  ];
  const changes = [
    'Availability is served from memory (src/booking/availability.service.ts): each calendar keeps its ' +
      'window of active bookings and the ResourceLoads built from it, kept exact by the store’s change mark ' +
      '(a per-calendar version in `booking_versions`, bumped in the transaction of every booking), read on every request.',
    'Bookings this process commits are applied to that memory as deltas (`applyChange`): only the touched ' +
      'resource’s load is rebuilt, nothing is read again.',
    'Slots are recomputed only when the bookings change or the clock moves them: an answer holds until ' +
      '`slotsValidUntil` (the earliest slot falls inside the minimum notice, or a new grid start enters the horizon).',
    'A covering index on bookings(calendar_id, status, blocked_end, blocked_start, resource_id, start_at, id): ' +
      'the window query reads only the index, and past bookings stay out of the scan.',
    'The answer’s wire format is memoised per slots array (`wireAnswer`, now in src/http/contract.routes.ts), so ' +
      'an unchanged answer is not formatted again.',
  ];
  writeResults(RESULTS, {
    date: new Date().toISOString(),
    scenario: SCENARIO,
    rows,
    notes,
    engine: { scenario: ENGINE_SCENARIO, rows: engineRows, notes: engineNotes },
    changes,
  });
  console.log(`\nMachine: ${machine()}\n\n${table(rows)}\n\n${engineTable(engineRows)}\n`);
  log(`wrote ${RESULTS}`);
}

const micro = (ms) => `${Math.round(ms * 1000)} µs`;

/** Stops every child we started and removes the temp folder; prints a server log tail on failure. */
async function cleanUp(failed) {
  for (const server of servers) await stop(server).catch(() => {});
  if (failed) {
    for (const server of servers) {
      try {
        const tail = readFileSync(server.logFile, 'utf8').split('\n').slice(-20).join('\n');
        if (tail.trim()) console.error(`--- last lines of ${server.name} log ---\n${tail}`);
      } catch {
        // No log written.
      }
    }
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}

const watchdog = setTimeout(async () => {
  console.error('[bench] FAILED: the run took longer than the watchdog allows');
  await cleanUp(true);
  process.exit(1);
}, WATCHDOG_MS);

try {
  await main();
  clearTimeout(watchdog);
  await cleanUp(false);
} catch (error) {
  clearTimeout(watchdog);
  console.error(`[bench] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  await cleanUp(true);
  process.exit(1);
}
