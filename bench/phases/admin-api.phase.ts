/**
 * The business's API beside telli's: `/available` of the reference calendar on a server without
 * the admin API and on one with it (its routes registered, an admin token configured), then, on the
 * latter, `GET /api/v1/bookings` searching a phone number and listing a day, over the seeded rows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { BenchFailure, describe, type Bench, type Launched, type Phase } from '../harness.js';
import { measurePaced } from '../load.js';
import { pacedRequests } from '../paced-load.js';
import { fixed, loadColumns, perRequest } from '../report.js';
import { CALENDAR_ID, TIMEZONE } from '../scenario.js';
import { FUTURE_BOOKINGS, PAST_BOOKINGS, seededPhone, seededPhoneWrittenOtherwise } from '../seed.js';
import { alternating, ALTERNATING_ROUNDS } from '../workloads.js';
import { REFERENCE_SCENARIO } from './scenarios.js';

const ADMIN_TOKEN = 'bench-admin-token-6c1e0b9d44f2a7';
/** Registering the admin API must leave `/available` within this share of its throughput without it. */
const ADMIN_TOLERANCE = 0.05;
/** The front desk's pace is nothing like telli's: the list is measured at a steady, modest rate. */
const LIST_RATE = 200;
const LIST_CONNECTIONS = 10;
const LIST_P99_MS = 20;
/** A future booking of the seed, to be found by its phone number. */
const SEARCHED = 2_345;

/** The scenario's config with an admin section in front. */
function adminConfig(bench: Bench, config: string): string {
  const path = join(bench.workDir, 'slotline-admin.yaml');
  const admin = `admin:\n  tokens:\n    - { name: bench, token: ${ADMIN_TOKEN} }\n`;
  writeFileSync(path, admin + readFileSync(config, 'utf8'));
  return path;
}

/**
 * GETs `path` (or the n-th path) at LIST_RATE with the admin token; every answer must be a 200.
 * The same path again is answered from the answers the server keeps until the bookings change.
 */
async function listLoad(bench: Bench, server: Launched, path: string | ((n: number) => string), label: string) {
  const pathOf = typeof path === 'string' ? () => path : path;
  const answer = await fetch(`${server.url}${pathOf(-1)}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const body = (await answer.json()) as { bookings?: unknown[] };
  if (answer.status !== 200) throw new BenchFailure(`${pathOf(-1)} answered ${answer.status}: ${JSON.stringify(body)}`);
  const pace = { connections: LIST_CONNECTIONS, rate: LIST_RATE, duration: bench.settings.seconds };
  const urls = Array.from({ length: pacedRequests(pace) }, (_, n) => `${server.url}${pathOf(n)}`);
  const result = await bench.metered(server, () =>
    measurePaced({ ...pace, url: urls, method: 'GET', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
  );
  bench.checkHealthy(result, label);
  if (result.non2xx > 0) throw new BenchFailure(`${label}: ${result.non2xx} answers were not 2xx`);
  describe(label, result);
  return { ...result, listed: body.bookings?.length ?? 0 };
}

export const adminApiPhase: Phase = {
  name: 'admin-api',
  async run(bench) {
    const { config } = await bench.scenario();
    const { server: without } = await bench.launchOnSeed('admin-off', 'slotline (no admin API)');
    const database = `sqlite:${await bench.seededCopy('admin-on')}`;
    const logFile = join(bench.workDir, 'admin-on.log');
    const server = await bench.launch({
      name: 'slotline (admin API)',
      config: adminConfig(bench, config),
      database,
      logFile,
    });
    // In turns, so that a swing of the machine does not pass for the admin API's cost.
    const {
      results: [plain, withAdmin],
      roundRatios,
    } = await alternating(bench, [{ server: without }, { server }], {
      labels: ['/available without the admin API, 50 connections', '/available with the admin API, 50 connections'],
    });
    await bench.stop(without);

    const q = new URLSearchParams({ q: seededPhoneWrittenOtherwise(SEARCHED), status: 'all' });
    const search = await listLoad(bench, server, `/api/v1/bookings?${q}`, 'GET /api/v1/bookings?q=<phone>');
    const tomorrow = DateTime.now().setZone(TIMEZONE).startOf('day').plus({ days: 1 });
    const dayPath = (endAfterMs = 0) =>
      `/api/v1/bookings?${new URLSearchParams({
        calendar: CALENDAR_ID,
        from: tomorrow.toUTC().toISO()!,
        to: tomorrow.plus({ days: 1, milliseconds: endAfterMs }).toUTC().toISO()!,
        limit: '500',
      })}`;
    const dayList = await listLoad(bench, server, dayPath(), 'GET /api/v1/bookings, one day');
    // The same day's bookings, but each request a URL of its own (the day's end a millisecond later): none kept.
    const unkept = await listLoad(bench, server, (n) => dayPath(n + 2), 'GET /api/v1/bookings, one day, each URL new');
    await bench.stop(server);

    const ratio = withAdmin.rps / plain.rps;
    const bare = bench.figures.bare;
    const toBare = (result: typeof plain) => (bare ? { ratio: result.rps / bare.rps } : {});
    const listTarget = (result: typeof search) => ({
      target: `p99 < ${LIST_P99_MS} ms at ${LIST_RATE} req/s`,
      met: result.p99 < LIST_P99_MS && result.rps >= LIST_RATE * 0.95,
    });
    return {
      title: 'The admin API beside `/available`, and the bookings list (SQLite)',
      scenario:
        `${REFERENCE_SCENARIO} Every seeded booking has a name and a phone number in its contact details, ` +
        'and their search keys.',
      table: {
        kind: 'load',
        rows: [
          { scenario: '`/available`, no admin section, 50 connections', ...loadColumns(plain), ...toBare(plain) },
          {
            scenario: '`/available`, admin API registered, 50 connections',
            ...loadColumns(withAdmin),
            ...toBare(withAdmin),
            target: `≥ ${1 - ADMIN_TOLERANCE} × the row above (${fixed(ratio, 3)} ×)`,
            met: ratio >= 1 - ADMIN_TOLERANCE,
          },
          {
            scenario: `\`GET /api/v1/bookings?q=\` a phone number written otherwise, ${LIST_CONNECTIONS} connections`,
            ...loadColumns(search),
            ...listTarget(search),
          },
          {
            scenario: `\`GET /api/v1/bookings\` of \`${CALENDAR_ID}\`, one day, ${LIST_CONNECTIONS} connections`,
            ...loadColumns(dayList),
            ...listTarget(dayList),
          },
          {
            scenario: `the same, each request a URL of its own (no answer kept), ${LIST_CONNECTIONS} connections`,
            ...loadColumns(unkept),
            ...listTarget(unkept),
          },
        ],
      },
      notes: [
        `The two \`/available\` servers ran side by side on copies of the same seed, with the same config but ` +
          `for the admin section, and took the load in turns (${ALTERNATING_ROUNDS} rounds; with over without in ` +
          `each: ${roundRatios.map((ratio) => fixed(ratio, 3)).join(', ')}); server CPU per request ` +
          `${perRequest(plain.serverCpu, plain.requests)} without, ${perRequest(withAdmin.serverCpu, withAdmin.requests)} with.`,
        `The search looked for "${seededPhoneWrittenOtherwise(SEARCHED)}", stored as "${seededPhone(SEARCHED)}", ` +
          `among ${(FUTURE_BOOKINGS + PAST_BOOKINGS).toLocaleString('en-US')} bookings of \`${CALENDAR_ID}\` and the copies in \`sourced\`: ${search.listed} found. ` +
          `The day list (${tomorrow.toISODate()}, Europe/Berlin) held ${dayList.listed} bookings in one page. ` +
          `Both at a steady ${LIST_RATE} req/s; server CPU per request ${perRequest(search.serverCpu, search.requests)} ` +
          `and ${perRequest(dayList.serverCpu, dayList.requests)}. The server keeps the list's answers until the bookings ` +
          `change (docs/ARCHITECTURE.md, "The bookings list's answers"), so both repeated queries are answered from what ` +
          `it kept; with a URL of its own per request (the day's end a millisecond later each time), none is: ` +
          `${perRequest(unkept.serverCpu, unkept.requests)} a request.`,
      ],
    };
  },
};
