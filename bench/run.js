/**
 * `npm run bench`: the load benchmark of DESIGN §5 in one run, side by side with the ceiling.
 *
 *   1. seed the reference scenario into a fresh SQLite file (real migrations, then bulk insert) and
 *      the same rows into a fresh PostgreSQL schema; the config also holds the `storm` calendar
 *      (around the clock, 60 days, 57,600 bookings of room) and the `sourced` calendar (`reference`
 *      again, each resource with two ICS feeds of 500 events, served by this process);
 *   2. the engine alone, in this process: listSlots and load building on 100,000 busy intervals;
 *   3. /available at saturation against a bare Fastify route answering the same bytes, then the
 *      `sourced` calendar's /available on the same server, once its first sync of the feeds is done;
 *   4. /available at a steady 1,000 requests a second, the bare route too;
 *   5. a /book storm on the storm calendar, on a fresh copy of the seeded database, then the
 *      double-booking check over the whole table;
 *   6. the simulator's mixed call pattern on the storm calendar, on another fresh copy, then the same check;
 *   7. on PostgreSQL, with one process and with two on the same database: /available at saturation
 *      and a /book storm, each followed by the double-booking check in SQL.
 *
 * Missing a target is reported, not fatal (exit 0). A double booking, an idempotency violation, a
 * 5xx answer or a crashed server fails the run (exit 1). Set BENCH_CPU_PROF=1 to write V8 CPU
 * profiles of the Slotline processes into bench/profiles/. Without a reachable PostgreSQL
 * (BENCH_POSTGRES_URL, default the local one) its rows are left out and RESULTS.md says why.
 */
/* global process, console, fetch, setTimeout, clearTimeout, Buffer, URL */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bookStorm,
  combineStorms,
  findDoubleBookings,
  findPostgresDoubleBookings,
  successesPerSecond,
} from './book-storm.js';
import { ENGINE_SCENARIO, engineBenchmark } from './engine.js';
import { measure, measureEach, warmUp } from './load.js';
import { describeLoad, otherLoad, totalCpuSeconds } from './machine-load.js';
import {
  POSTGRES_URL,
  analyzeBookings,
  backendPids,
  clearCalendar,
  closeBenchDatabase,
  openBenchDatabase,
} from './postgres.js';
import { engineTable, table, writeResults, machine } from './report.js';
import { FUTURE_BOOKINGS, PAST_BOOKINGS, seed, seedPostgres } from './seed.js';
import {
  CLOSE_HOUR,
  HORIZON_DAYS,
  OPEN_HOUR,
  RESOURCES,
  SOURCED_ID,
  SOURCES_PER_RESOURCE,
  SOURCES_SYNC_EVERY,
  STORM_CAPACITY,
  STORM_HORIZON_DAYS,
  STORM_ID,
  STORM_RESOURCES,
  stormGrid,
  writeConfig,
} from './scenario.js';
import { migrate, startBare, startSlotline, stop, waitSynced } from './servers.js';
import { EVENTS_PER_FEED, RECURRING_PER_FEED, startFeeds, syncedBusy } from './sources.js';
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
/** `sourced` must be as fast as `reference`: within this share of its throughput. */
const SOURCED_TOLERANCE = 0.1;
/** The whole run must stay under 5 minutes; past this, something hangs: give up loudly. */
const WATCHDOG_MS = 285_000;
const AVAILABLE_BODY = JSON.stringify({ contact_id: 'bench' });
const STORM_PATH = `/calendars/${STORM_ID}`;
const SOURCED_PATH = `/calendars/${SOURCED_ID}`;
const FEEDS = RESOURCES.length * SOURCES_PER_RESOURCE;
/** Past this share of the machine used by other processes during a phase, its figures are called disturbed. */
const DISTURBED = 0.1;

const SCENARIO =
  'calendar `reference`: 10 resources open 08:00-20:00 every day (Europe/Berlin), 30-minute slots on a ' +
  `15-minute grid, 30-day horizon, max_slots 40, min_notice 0, no buffers; ${FUTURE_BOOKINGS.toLocaleString('en-US')} ` +
  `active bookings over the horizon and ${PAST_BOOKINGS.toLocaleString('en-US')} past ones in the same table; SQLite. ` +
  `Calendar \`${STORM_ID}\` in the same config and database, for the /book storm and the simulator: ` +
  `${STORM_RESOURCES} resources open 00:00-24:00 every day, 15-minute slots on a 15-minute grid, ` +
  `${STORM_HORIZON_DAYS}-day horizon, max_slots 40, min_notice 0, no bookings seeded: room for ` +
  `${STORM_CAPACITY.toLocaleString('en-US')} bookings. Calendar \`${SOURCED_ID}\`: \`reference\`'s rules, resources ` +
  `and ${FUTURE_BOOKINGS.toLocaleString('en-US')} future bookings again, and each resource reads ` +
  `${SOURCES_PER_RESOURCE} ICS feeds of ${EVENTS_PER_FEED} one-hour events (${FEEDS} feeds), synced every ` +
  `${SOURCES_SYNC_EVERY}. The same rows also seed a fresh PostgreSQL schema for the PostgreSQL rows`;

const servers = [];
let workDir;
/** The ICS feeds of the `sourced` calendar, served by this process for the whole run. */
let feeds;
/** The run's PostgreSQL schema and the bench's connection, or `{ unavailable }`. */
let database;

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
      `; server CPU ${cpuPerRequest(result)} a request` +
      (result.databaseCpu !== undefined
        ? `, PostgreSQL CPU ${cpuPerRequest(result, result.requests, 'databaseCpu')}`
        : '') +
      `; other processes used ${describeLoad(result.other)})`,
  );
}

/**
 * Runs `run()` and adds `other`, the share of the machine other processes used meanwhile, and
 * `serverCpu`, the CPU seconds the server (or servers, a list) used meanwhile. On PostgreSQL,
 * the database backends serving them are ours too: `databaseCpu` is their CPU seconds.
 */
async function metered(underTest, run) {
  const list = [underTest].flat();
  const pids = list.map((server) => server.child.pid);
  const backends = list.some((server) => server.postgres) ? await backendPids(database, list) : [];
  const end = otherLoad(() => [...pids, ...backends]);
  const cpuBefore = totalCpuSeconds(pids);
  const databaseBefore = totalCpuSeconds(backends);
  const result = await run();
  return {
    ...result,
    other: end(),
    serverCpu: totalCpuSeconds(pids) - cpuBefore,
    databaseCpu: backends.length > 0 ? totalCpuSeconds(backends) - databaseBefore : undefined,
  };
}

/** Server (or database) CPU per request in µs, e.g. "38 µs". */
const cpuPerRequest = (result, requests = result.requests, key = 'serverCpu') =>
  Number.isFinite(result[key]) ? `${Math.round((result[key] / requests) * 1e6)} µs` : 'unknown';

/**
 * Starts a Slotline and waits until its first sync of the calendar sources shows in /readyz, so no
 * sync runs during a measurement; `firstSync` says how long that took from spawning the process
 * and from its first /readyz answer (the sync starts once it listens).
 */
async function launch(options) {
  const server = await startSlotline(options);
  servers.push(server);
  server.postgres = options.database.startsWith('postgres');
  const { syncedAt, sources } = await waitSynced(server);
  // A source's synced_at is when its sync began: the earliest is when this process began syncing,
  // unless another process on the same database synced them all before this one started.
  const began = Math.min(...sources.map((source) => Date.parse(source.synced_at)));
  server.firstSync = {
    sources: sources.length,
    fromStart: syncedAt - server.startedAt,
    ...(began >= server.startedAt ? { began: began - server.startedAt, took: syncedAt - began } : {}),
  };
  log(`${server.name} (pid ${server.child.pid}): ${describeSync(server.firstSync)}`);
  return server;
}

/** "20 sources synced 1084 ms after start: the sync began at 640 ms and took 444 ms". */
function describeSync({ sources, fromStart, began, took }) {
  return (
    `${sources} sources synced ${fromStart} ms after start: ` +
    (took === undefined
      ? 'another process had synced them already'
      : `the sync began at ${began} ms (listening) and took ${took} ms`)
  );
}

/**
 * Seeds the databases once: SQLite, of which each Slotline gets its own copy so the storm starts
 * from the seed, and, when PostgreSQL answers, the same rows into the run's fresh schema.
 */
async function prepare() {
  workDir = mkdtempSync(join(os.tmpdir(), 'slotline-bench-'));
  const config = join(workDir, 'slotline.yaml');
  const seeded = join(workDir, 'seed.db');
  writeConfig(config, { feedUrl: (resource, n) => feeds.url(RESOURCES.indexOf(resource) * SOURCES_PER_RESOURCE + n) });
  migrate(config, `sqlite:${seeded}`);
  const now = Date.now();
  const written = seed(seeded, now);
  log(
    `seeded ${written.future} future and ${written.past} past bookings of the reference calendar and ` +
      `${written.sourced} of the sourced one into SQLite in ${Date.now() - now} ms`,
  );
  if (database.unavailable) {
    log(`PostgreSQL at ${new URL(POSTGRES_URL).host} does not answer (${database.unavailable}): its rows are left out`);
    return { config, seeded };
  }
  const started = Date.now();
  migrate(config, database.url);
  const migrated = Date.now();
  await seedPostgres(database.client, now);
  database.seedMs = Date.now() - migrated;
  log(
    `PostgreSQL ${database.version}: migrated schema ${database.schema} in ${migrated - started} ms, seeded the ` +
      `same rows in ${database.seedMs} ms`,
  );
  return { config, seeded };
}

/** Fetches one real /available answer: the bare route will send exactly these bytes. */
async function captureAvailableAnswer(server, path = '/available') {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: AVAILABLE_BODY,
  });
  const text = await response.text();
  if (response.status !== 200) throw new BenchFailure(`${path} answered ${response.status}: ${text}`);
  const available = JSON.parse(text).available ?? [];
  const slots = available.length;
  const first = available[0]?.start_iso;
  const last = available.at(-1)?.start_iso;
  log(`${path} answers ${slots} slots in ${Buffer.byteLength(text)} bytes, from ${first} to ${last}`);
  return { text, slots, first, last };
}

/**
 * /available at saturation on `path` of one server, or of several at once (a list): then one
 * autocannon per server with an equal share of the connections, measured together.
 */
async function saturation(underTest, { path = '/available' } = {}) {
  const list = [underTest].flat();
  const each = list.map((server) => ({
    url: `${server.url}${path}`,
    connections: SATURATION_CONNECTIONS / list.length,
    body: AVAILABLE_BODY,
  }));
  await Promise.all(each.map((options) => warmUp(options, WARM_UP_SECONDS)));
  return metered(list, () => measureEach(each.map((options) => ({ ...options, duration: SECONDS }))));
}

/**
 * The /book storm on the storm calendar of one server, or of several at once (a list), with
 * SATURATION_CONNECTIONS in all. Server i of n books the grid starts k with k mod n = i, so
 * together they walk the grid as one storm does; each has its own contacts. Warmed up as telli
 * calls: /available first (it also loads the calendar into memory), then /book with other
 * contacts on the far half of each server's starts, so the measured storm starts on free starts.
 */
async function storm(underTest, { prefix }) {
  const list = [underTest].flat();
  const connections = SATURATION_CONNECTIONS / list.length;
  // A minute of margin at both ends, so no start turns "past" or "beyond the horizon" mid-run.
  const grid = stormGrid(Date.now(), 60_000);
  const shares = list.map((server, i) => ({
    server,
    grid: grid.filter((_, k) => k % list.length === i),
    prefix: list.length === 1 ? prefix : `${prefix}${String.fromCharCode(97 + i)}-`,
  }));
  const path = `${STORM_PATH}/book`;
  const stormAll = (duration, prefixOf, offsetOf) =>
    Promise.all(
      shares.map((share) =>
        bookStorm({
          url: share.server.url,
          path,
          grid: share.grid,
          connections,
          duration,
          prefix: prefixOf(share),
          offset: offsetOf(share),
        }),
      ),
    ).then(combineStorms);
  await Promise.all(
    list.map((server) => warmUp({ url: `${server.url}${STORM_PATH}/available`, connections, body: AVAILABLE_BODY }, 1)),
  );
  const warm = await stormAll(
    WARM_UP_SECONDS,
    (share) => `warm-${share.prefix}`,
    (share) => Math.floor(share.grid.length / 2),
  );
  checkHealthy(warm, `${prefix} warm-up`);
  // On PostgreSQL the planner must know the storm calendar is no longer empty: see postgresNotes.
  if (list.some((server) => server.postgres)) await analyzeBookings(database);
  const result = await metered(list, () =>
    stormAll(
      SECONDS,
      (share) => share.prefix,
      () => 0,
    ),
  );
  return { ...result, grid, warmUpSuccesses: warm.successes };
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
  feeds = await startFeeds(FEEDS);
  database = await openBenchDatabase();
  const { config, seeded } = await prepare();
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
    database: `sqlite:${availableDb}`,
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

  // The same server's `sourced` calendar: its 20 feeds were synced before launch() returned.
  const sourcedAnswer = await captureAvailableAnswer(slotline, `${SOURCED_PATH}/available`);
  const sourcedResult = await saturation(slotline, { path: `${SOURCED_PATH}/available` });
  checkHealthy(sourcedResult, '/available on sourced');
  describe(`/available on ${SOURCED_ID}, 50 connections`, sourcedResult);
  const feedsServed = { ...feeds.served };

  const steadyResult = await steady(slotline);
  checkHealthy(steadyResult, '/available steady');
  describe('/available, steady 1,000 req/s', steadyResult);
  await stop(slotline);
  const sourcedBusy = syncedBusy(availableDb, SOURCED_ID);
  log(
    `${SOURCED_ID}: ${sourcedBusy.intervals} busy intervals from ${sourcedBusy.sources} sources ` +
      `(${Math.round(sourcedBusy.hours)} hours); the feeds answered ${feedsServed.full} full downloads and ` +
      `${feedsServed.unchanged} 304s by then`,
  );

  // --- /book storm on the storm calendar, on a fresh copy ---
  const booker = await launch({
    name: 'slotline (/book)',
    config,
    database: `sqlite:${bookDb}`,
    logFile: join(workDir, 'book.log'),
    nodeFlags,
  });
  const stormResult = await storm(booker, { prefix: 'storm-' });
  const { grid } = stormResult;
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
    database: `sqlite:${simulationDb}`,
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

  // --- PostgreSQL: one process, then two on the same database ---
  const onPostgres = database.client ? await postgresRuns(config, nodeFlags) : undefined;

  const ratio = availableResult.rps / bareResult.rps;
  const sourcedRatio = sourcedResult.rps / availableResult.rps;
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
      scenario:
        `\`/available\` on \`${SOURCED_ID}\` (${FEEDS} ICS sources of ${EVENTS_PER_FEED} events), 50 connections, ` +
        'same server',
      rps: sourcedResult.rps,
      p50: sourcedResult.p50,
      p99: sourcedResult.p99,
      other: sourcedResult.other,
      ratio: sourcedResult.rps / bareResult.rps,
      target: `≥ ${1 - SOURCED_TOLERANCE} × the row above (${fixed(sourcedRatio, 2)} ×)`,
      met: sourcedRatio >= 1 - SOURCED_TOLERANCE,
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
    ...(onPostgres ? postgresRows(onPostgres, bareResult) : []),
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
      `(${stormResult.warmUpSuccesses} bookings). ${stormResult.successes} of ${stormResult.requests} storm answers said ` +
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
    `Calendar sources: \`${SOURCED_ID}\` has \`reference\`'s rules, 10 resources and ${FUTURE_BOOKINGS.toLocaleString('en-US')} ` +
      `future bookings, and each resource ${SOURCES_PER_RESOURCE} \`type: ics\` sources (\`sync_every: ` +
      `${SOURCES_SYNC_EVERY}\`), ${FEEDS} feeds served by a node:http server in the bench process with an ETag ` +
      `(a matching If-None-Match gets 304). Each feed (${Math.round(feedsServed.bytes / 1024)} KiB, CRLF) holds ` +
      `${EVENTS_PER_FEED} one-hour VEVENTs in UTC starting on a quarter hour inside opening hours: ` +
      `${EVENTS_PER_FEED - RECURRING_PER_FEED} on random days of the next ${HORIZON_DAYS}, and ${RECURRING_PER_FEED} ` +
      'weekly series (RRULE:FREQ=WEEKLY, no end) that began in the last eight weeks. The sync wrote ' +
      `${sourcedBusy.intervals.toLocaleString('en-US')} busy intervals (${Math.round(sourcedBusy.hours).toLocaleString('en-US')} ` +
      `hours against ${(RESOURCES.length * HORIZON_DAYS * (CLOSE_HOUR - OPEN_HOUR)).toLocaleString('en-US')} open ` +
      'resource-hours, overlapping one another and the bookings). Answers: ' +
      `\`${SOURCED_ID}\` ${sourcedAnswer.slots} slots from ${sourcedAnswer.first} to ${sourcedAnswer.last} ` +
      `(${Buffer.byteLength(sourcedAnswer.text)} bytes), \`reference\` ${answer.slots} from ${answer.first} to ` +
      `${answer.last}. Measured on the \`/available\` row's server right after that row, ` +
      `${WARM_UP_SECONDS} s warm-up and ${SECONDS} s at ${SATURATION_CONNECTIONS} connections on ` +
      `\`${SOURCED_PATH}/available\`; the target is "as fast as without sources", met within ` +
      `${SOURCED_TOLERANCE * 100} % of the \`reference\` row. Server CPU per request: \`${SOURCED_ID}\` ` +
      `${cpuPerRequest(sourcedResult)}, \`reference\` ${cpuPerRequest(availableResult)}.`,
    `First sync of the ${FEEDS} sources, on the \`/available\` row's server (SQLite): all were synced, as ` +
      `GET /readyz showed them with \`synced_at\` (polled every 20 ms), ${slotline.firstSync.fromStart} ms after the ` +
      `process was spawned; the sync itself, from the earliest \`synced_at\` (when a source's sync begins, right ` +
      `after the server listens, ${slotline.firstSync.began} ms after spawning) to the last one seen synced, took ` +
      `${slotline.firstSync.took} ms for ${FEEDS} downloads of ${EVENTS_PER_FEED} events. Every server of the run ` +
      'has the same config, so each waits for its first sync before it is measured; the syncs took ' +
      `${servers
        .filter((server) => server.firstSync)
        .map(
          (server) =>
            `${server.firstSync.took === undefined ? 'none' : `${server.firstSync.took} ms`} (${server.name}` +
            `${server.firstSync.took === undefined ? ', synced by the first PostgreSQL process' : ''})`,
        )
        .join(', ')}.`,
    ...(onPostgres
      ? postgresNotes(onPostgres, { available: availableResult, storm: stormResult })
      : [`PostgreSQL rows left out: ${database.unavailable}.`]),
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

/** The double-booking check on PostgreSQL, in SQL; a double booking fails the run. */
async function checkPostgres(label) {
  const check = await findPostgresDoubleBookings(database.client);
  log(`PostgreSQL, active bookings per calendar after the ${label}: ${JSON.stringify(check.perCalendar)}`);
  console.log(`double bookings on PostgreSQL after the ${label}: ${check.doubles.length}`);
  if (check.doubles.length > 0) {
    throw new BenchFailure(
      `overlapping active bookings on PostgreSQL after the ${label}, e.g. ${JSON.stringify(check.doubles.slice(0, 5))}`,
    );
  }
  return check;
}

/** Logs a storm's successes, and adds its rate and successes per second. */
function stormSummary(label, result) {
  describe(label, result);
  const perSecond = successesPerSecond(result.successTimes, result.seconds);
  const { successRate } = result;
  log(
    `${label}: ${result.successes} successes of ${result.requests} (${Math.round(successRate)}/s); ` +
      `per second: ${perSecond.join(' ')}`,
  );
  if (result.firstFailure) log(`${label}: first failed /book answer: ${result.firstFailure}`);
  return { ...result, perSecond, successRate };
}

/**
 * /available at saturation and a /book storm on the run's PostgreSQL schema, with one Slotline
 * process and then with two on the same database (the first one stays up), each storm followed by
 * the double-booking check in SQL. The storm calendar is emptied between the two storms.
 */
async function postgresRuns(config, nodeFlags) {
  const options = (n) => ({
    name: `slotline (PostgreSQL ${n})`,
    config,
    database: database.url,
    logFile: join(workDir, `postgres-${n}.log`),
    nodeFlags,
  });
  const first = await launch(options(1));
  const available1 = await saturation(first);
  checkHealthy(available1, 'PostgreSQL /available, one process');
  describe('PostgreSQL /available, 1 process, 50 connections', available1);

  const second = await launch(options(2));
  const available2 = await saturation([first, second]);
  checkHealthy(available2, 'PostgreSQL /available, two processes');
  describe('PostgreSQL /available, 2 processes, 2 × 25 connections', available2);

  const storm1 = await storm(first, { prefix: 'pg-storm-' });
  checkHealthy(storm1, 'PostgreSQL /book storm, one process');
  const check1 = await checkPostgres('one-process storm');
  await clearCalendar(database, STORM_ID);
  const storm2 = await storm([first, second], { prefix: 'pg2-storm-' });
  checkHealthy(storm2, 'PostgreSQL /book storm, two processes');
  const check2 = await checkPostgres('two-process storm');
  await stop(first);
  await stop(second);
  checkHealthy(null);
  return {
    available1,
    available2,
    storm1: stormSummary('PostgreSQL /book storm, 1 process, 50 connections', storm1),
    storm2: stormSummary('PostgreSQL /book storm, 2 processes, 2 × 25 connections', storm2),
    check1,
    check2,
    firstSync: first.firstSync,
  };
}

function postgresRows({ available1, available2, storm1, storm2, check1, check2 }, bare) {
  const available = (scenario, result) => ({
    scenario,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    other: result.other,
    ratio: result.rps / bare.rps,
    target: '≥ 0.5 × bare',
    met: result.rps / bare.rps >= 0.5,
  });
  const storms = (label, result, check) => [
    {
      scenario: `\`/book\` storm on \`storm\`, PostgreSQL, ${label} (all answers)`,
      rps: result.rps,
      p50: result.p50,
      p99: result.p99,
      other: result.other,
    },
    {
      scenario: `\`/book\` storm, PostgreSQL, ${label}: successful bookings/s, average over the ${SECONDS} s`,
      rps: result.successRate,
      other: result.other,
      target: 'none doubled',
      met: check.doubles.length === 0,
    },
  ];
  return [
    available('`/available`, PostgreSQL, 1 process, 50 connections', available1),
    available('`/available`, PostgreSQL, 2 processes on one database, 2 × 25 connections', available2),
    ...storms('1 process, 50 connections', storm1, check1),
    ...storms('2 processes on one database, 2 × 25 connections', storm2, check2),
  ];
}

function postgresNotes({ available1, available2, storm1, storm2, check1, check2, firstSync }, sqlite) {
  const cpu = (result) =>
    `Slotline ${cpuPerRequest(result)} + PostgreSQL ${cpuPerRequest(result, result.requests, 'databaseCpu')}`;
  const bookCpu = (result) =>
    `Slotline ${cpuPerRequest(result, result.successes)} + PostgreSQL ` +
    `${cpuPerRequest(result, result.successes, 'databaseCpu')}`;
  return [
    `PostgreSQL rows: PostgreSQL ${database.version} on this machine (127.0.0.1, so it shares the 2 cores with ` +
      'Slotline and autocannon), in a fresh schema per run (`?schema=slotline_bench_…`, created and migrated by ' +
      '`slotline migrate`, dropped at the end), seeded with the same rows as SQLite (multi-row INSERTs of 1,000 ' +
      `rows in one transaction, then ANALYZE) in ${database.seedMs} ms; default pool (10 connections a process), ` +
      `default server settings (fsync and synchronous_commit on). Each measurement: ${WARM_UP_SECONDS} s warm-up, ` +
      `${SECONDS} s. Two processes: a second Slotline on the same database, started after the one-process ` +
      'run (the first stays up), and two autocannon instances at once, 25 connections each (autocannon takes one ' +
      'URL); their throughputs add up and p50/p99 are over all samples of both. Both processes sync the sources ' +
      `at start; the first had all ${FEEDS} synced into PostgreSQL ${firstSync.fromStart} ms after it was spawned.`,
    `PostgreSQL \`/book\` storms: as the SQLite storm, on calendar \`${STORM_ID}\`; with two processes, process i ` +
      'books the starts k with k mod 2 = i with its own contacts, so together they walk the grid as one storm ' +
      `does. The calendar is emptied (rows deleted, change mark moved) between the two storms. One process: ` +
      `${storm1.successes} of ${storm1.requests} answers said success, per second ${storm1.perSecond.join(', ')}; ` +
      `two processes: ${storm2.successes} of ${storm2.requests}, per second ${storm2.perSecond.join(', ')}.` +
      (storm1.firstFailure ? ` First failure (one process): ${storm1.firstFailure}` : '') +
      (storm2.firstFailure ? ` First failure (two processes): ${storm2.firstFailure}` : '') +
      ` Two processes made ${fixed(storm2.successRate / storm1.successRate, 2)} × the bookings of one. The storm ` +
      'books consecutive quarter hours, so the bookings in flight fall on one or two calendar days, and ' +
      'PostgreSQL decides the bookings of one calendar day one at a time, under an advisory lock held for the ' +
      'whole booking transaction, a round trip per statement (README, Scaling out); SQLite decides every ' +
      'booking one at a time as well, but in-process, without round trips. After each warm-up the bench runs ' +
      '`ANALYZE bookings`: with the seed’s statistics, which say `storm` is empty, the planner reads a ' +
      'booking’s neighbours and the contact’s bookings through the exclusion constraint’s GiST index on the ' +
      'calendar alone, so each booking reads every booking of the calendar and the rate falls as it fills; a ' +
      'calendar that fills from empty within seconds outruns autovacuum’s own ANALYZE.',
    'Double bookings on PostgreSQL, in SQL after each storm (per calendar and resource, an active booking ' +
      'starting before the furthest end of the active ones ordered before it): ' +
      `${check1.doubles.length} of ${check1.activeRows} active rows after the one-process storm, ` +
      `${check2.doubles.length} of ${check2.activeRows} after the two-process storm.`,
    'CPU per request on PostgreSQL (Slotline processes, and the PostgreSQL backends serving them with the WAL ' +
      'writer and checkpointer, from /proc; they count as ours in the last column): `/available` one process ' +
      `${cpu(available1)}, two processes ${cpu(available2)}, against ${cpuPerRequest(sqlite.available)} on SQLite; ` +
      `per successful \`/book\` one process ${bookCpu(storm1)}, two processes ${bookCpu(storm2)}, against ` +
      `${cpuPerRequest(sqlite.storm, sqlite.storm.successes)} on SQLite. Every \`/available\` request reads the ` +
      'calendar’s change mark from the database, on PostgreSQL a round trip to a server on the same 2 cores; ' +
      `with autocannon there too, the machine has no core to spare for a second process: two processes made ` +
      `${fixed(available2.rps / available1.rps, 2)} × the \`/available\` throughput of one.`,
    'Where the time goes on PostgreSQL (a CPU profile, BENCH_CPU_PROF=1, of the one-process `/available` run on ' +
      '2026-11-25; not rewritten by the bench): about 46 % of the Slotline process’s samples sit in `writev`, ' +
      'sending the change-mark query to PostgreSQL (37 %, under pg’s `Client.query`) and the answer (13 %): a ' +
      'write to a loopback socket wakes the receiving process on the same 2 cores. The rest is spread thin over ' +
      'pg, Kysely, Fastify and the garbage collector; Slotline’s own modules take under 3 % (self time).',
  ];
}

/**
 * Stops every child we started, the feed server, drops the PostgreSQL schema and removes the temp
 * folder; prints a server log tail on failure.
 */
async function cleanUp(failed) {
  for (const server of servers) await stop(server).catch(() => {});
  if (feeds) await feeds.close();
  const dropped = await closeBenchDatabase(database);
  if (dropped) console.error(`[bench] ${dropped}`);
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
