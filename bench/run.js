/**
 * `npm run bench`: the load benchmark of DESIGN §5 in one run, side by side with the ceiling.
 *
 *   1. seed the reference scenario into a fresh SQLite file (real migrations, then bulk insert);
 *   2. /available at saturation against a bare Fastify route answering the same bytes;
 *   3. /available at a steady 1,000 requests a second;
 *   4. a /book storm on a fresh copy of the seeded database, then the double-booking check.
 *
 * Missing a target is reported, not fatal (exit 0). A double booking, a 5xx answer or a crashed
 * server fails the run (exit 1). Set BENCH_CPU_PROF=1 to write V8 CPU profiles of the Slotline
 * processes into bench/profiles/.
 */
/* global process, console, fetch, setTimeout, clearTimeout, Buffer, URL */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bookStorm, findDoubleBookings, successesPerSecond } from './book-storm.js';
import { measure, warmUp } from './load.js';
import { table, writeResults, machine } from './report.js';
import { FUTURE_BOOKINGS, PAST_BOOKINGS, seed } from './seed.js';
import { futureGrid, writeConfig } from './scenario.js';
import { migrate, startBare, startSlotline, stop } from './servers.js';

const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const PROFILES = fileURLToPath(new URL('./profiles/', import.meta.url));
const SECONDS = 10;
const WARM_UP_SECONDS = 2;
const SATURATION_CONNECTIONS = 50;
const STEADY_RATE = 1_000;
const STEADY_CONNECTIONS = 20;
/** The whole run must stay under 3 minutes; past this, something hangs: give up loudly. */
const WATCHDOG_MS = 170_000;
const AVAILABLE_BODY = JSON.stringify({ contact_id: 'bench' });

const SCENARIO =
  'one calendar, 10 resources open 08:00-20:00 every day (Europe/Berlin), 30-minute slots on a ' +
  `15-minute grid, 30-day horizon, max_slots 40, min_notice 0, no buffers; ${FUTURE_BOOKINGS.toLocaleString('en-US')} ` +
  `active bookings over the horizon and ${PAST_BOOKINGS.toLocaleString('en-US')} past ones in the same table; SQLite`;

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

function describe(label, result) {
  const problems = result.non2xx + result.errors + result.timeouts;
  log(
    `${label}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms` +
      ` (${result.requests} requests in ${result.seconds} s${problems ? `; non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}` : ''})`,
  );
}

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
    `seeded ${written.future} future and ${written.past} past bookings in ${Date.now() - started} ms; ` +
      `room left for at most ${written.freeCapacity} more bookings in the horizon`,
  );
  return { config, seeded, freeCapacity: written.freeCapacity };
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

async function saturation(url) {
  const options = { url, connections: SATURATION_CONNECTIONS, body: AVAILABLE_BODY };
  await warmUp(options, WARM_UP_SECONDS);
  return measure({ ...options, duration: SECONDS });
}

async function main() {
  const nodeFlags = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`] : [];
  if (nodeFlags.length) mkdirSync(PROFILES, { recursive: true });
  const { config, seeded, freeCapacity } = prepare();
  const availableDb = join(workDir, 'available.db');
  const bookDb = join(workDir, 'book.db');
  copyFileSync(seeded, availableDb);
  copyFileSync(seeded, bookDb);

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
  const bareResult = await saturation(`${bare.url}/available`);
  checkHealthy(bareResult, 'bare');
  describe('bare fastify, 50 connections', bareResult);
  await stop(bare);

  const availableResult = await saturation(`${slotline.url}/available`);
  checkHealthy(availableResult, '/available saturation');
  describe('/available, 50 connections', availableResult);

  const steadyResult = await measure({
    url: `${slotline.url}/available`,
    connections: STEADY_CONNECTIONS,
    overallRate: STEADY_RATE,
    duration: SECONDS,
    body: AVAILABLE_BODY,
  });
  checkHealthy(steadyResult, '/available steady');
  describe('/available, steady 1,000 req/s', steadyResult);
  await stop(slotline);

  // --- /book storm on a fresh copy ---
  const booker = await launch({
    name: 'slotline (/book)',
    config,
    dbPath: bookDb,
    logFile: join(workDir, 'book.log'),
    nodeFlags,
  });
  // Warm the shared code paths with reads only: the storm must start from the seeded database.
  await warmUp({ url: `${booker.url}/available`, connections: SATURATION_CONNECTIONS, body: AVAILABLE_BODY }, 1);
  // Leave a minute of margin at both ends so no start turns "past" or "beyond the horizon" mid-run.
  const grid = futureGrid(Date.now(), 60_000);
  const stormResult = await bookStorm({
    url: booker.url,
    grid,
    connections: SATURATION_CONNECTIONS,
    duration: SECONDS,
  });
  checkHealthy(stormResult, '/book storm');
  describe('/book storm, 50 connections', stormResult);
  await stop(booker);
  checkHealthy(null);

  const perSecond = successesPerSecond(stormResult.successTimes, stormResult.seconds);
  const successRate = stormResult.successes / stormResult.seconds;
  const peakRate = Math.max(...perSecond);
  log(`/book successes: ${stormResult.successes} (${Math.round(successRate)}/s); per second: ${perSecond.join(' ')}`);

  const check = findDoubleBookings(bookDb);
  log(`storm bookings in the database: ${check.stormBookings} (answers saying success: ${stormResult.successes})`);
  console.log(`double bookings: ${check.doubles.length}`);
  if (check.doubles.length > 0) {
    throw new BenchFailure(`overlapping active bookings, e.g. ${JSON.stringify(check.doubles.slice(0, 5))}`);
  }

  const ratio = availableResult.rps / bareResult.rps;
  const rows = [
    {
      scenario: 'bare Fastify route, 50 connections (ceiling)',
      rps: bareResult.rps,
      p50: bareResult.p50,
      p99: bareResult.p99,
      ratio: 1,
    },
    {
      scenario: '`/available`, 50 connections (saturation)',
      rps: availableResult.rps,
      p50: availableResult.p50,
      p99: availableResult.p99,
      ratio,
      target: '≥ 0.5 × bare',
      met: ratio >= 0.5,
    },
    {
      scenario: '`/available`, steady 1,000 req/s, 20 connections',
      rps: steadyResult.rps,
      p50: steadyResult.p50,
      p99: steadyResult.p99,
      target: 'p99 < 5 ms',
      met: steadyResult.p99 < 5 && steadyResult.rps >= STEADY_RATE * 0.95,
    },
    {
      scenario: '`/book` storm, 50 connections (all answers)',
      rps: stormResult.rps,
      p50: stormResult.p50,
      p99: stormResult.p99,
    },
    {
      scenario: `\`/book\` successful bookings, average over the ${SECONDS} s storm`,
      rps: successRate,
      target: `(bounded by the free capacity: ≤ ${Math.round(freeCapacity / SECONDS)}/s)`,
    },
    {
      scenario: '`/book` successful bookings, best second',
      rps: peakRate,
      target: '≥ 1,000 bookings/s, none doubled',
      met: peakRate >= 1_000 && check.doubles.length === 0,
    },
  ];
  const notes = [
    `The bare route answers the very bytes of one real \`/available\` answer (${answer.slots} slots, ` +
      `${Buffer.byteLength(answer.text)} bytes), pre-serialised; both ran with ${SATURATION_CONNECTIONS} connections ` +
      `for ${SECONDS} s after a ${WARM_UP_SECONDS} s warm-up, bare first.`,
    'Servers run as child processes (Slotline with LOG_LEVEL=warn, bare Fastify with the logger off); autocannon ' +
      'runs in the bench process on the same 2 cores, so all figures include the load generator competing for CPU.',
    'Latencies are computed from autocannon’s raw per-response times of 2xx answers (sub-millisecond precision), ' +
      'not its whole-millisecond histogram.',
    `\`/book\` storm: request N is contact cN booking the N-th start (cyclically) of the ${grid.length} grid starts ` +
      `left in the horizon, on a fresh copy of the seeded database. Successes per second of the run: ` +
      `${perSecond.join(', ')} (${stormResult.successes} answers said success; ${check.stormBookings} storm bookings ` +
      'are active in the database afterwards, the difference being requests still in flight when autocannon stopped). ' +
      `The seed leaves room for at most ${freeCapacity} more bookings in the horizon, so no storm can average more ` +
      `than ${Math.round(freeCapacity / SECONDS)} successes a second over ${SECONDS} s; once the horizon is full every ` +
      'request fails. The best second shows the booking rate while free slots remained.',
    `Double bookings after the storm (active bookings overlapping on one resource): ${check.doubles.length} of ` +
      `${check.activeRows} active rows.`,
  ];
  writeResults(RESULTS, { date: new Date().toISOString(), scenario: SCENARIO, rows, notes });
  console.log(`\nMachine: ${machine()}\n\n${table(rows)}\n`);
  log(`wrote ${RESULTS}`);
}

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
