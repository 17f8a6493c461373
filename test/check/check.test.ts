import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCheck, type CheckOptions, type CheckReport } from '../../src/check/check.js';
import { checkCommand } from '../../src/check/check.command.js';
import { renderJson, renderTable } from '../../src/check/report.js';
import { sign } from '../../src/contract/signature.js';
import { parseInstant } from '../../src/contract/timestamp.js';
import { calendarYaml, start, type Running } from '../http/harness.js';
import { dropTestDatabases } from '../dialects.js';
import { BIN, PROCESS_TEST_TIMEOUT_MS } from '../slotline-process.js';

const KEY = 'check-key';
const HALF_HOUR = 30 * 60_000;

const running: Running[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  process.exitCode = undefined;
  vi.restoreAllMocks();
});
afterAll(dropTestDatabases);

const ADMIN_TOKEN = 'check-admin-token-7d2e91b4c03a';

/** Slotline itself, open all day so that the real clock always finds slots ahead; `admin`: with ADMIN_TOKEN. */
async function slotline(fields: Record<string, string> = {}, key?: string, admin = false): Promise<string> {
  const yaml = calendarYaml(
    // min_notice keeps the first slot clear of the moment the checker compares it with.
    { hours: '{ mon-sun: ["00:00-24:00"] }', min_notice: '10m', ...fields },
    (key ? `signing_keys: ["${key}"]\n` : '') +
      (admin ? `admin: { tokens: [{ name: checker, token: ${ADMIN_TOKEN} }] }\n` : ''),
  );
  const app = await start({ yaml, now: Date.now() });
  running.push(app);
  return app.url;
}

interface Flaws {
  /** Verify signatures with this key. */
  readonly key?: string;
  readonly format?: (instant: number) => string;
  readonly firstStart?: () => number;
  /** Replaces the booking logic. */
  readonly book?: () => { status: number; body: unknown };
}

/**
 * A small calendar written from the contract alone: one resource, half-hour slots. Correct unless
 * given a flaw, so that each broken variant fails for its flaw only.
 */
async function fakeCalendar(flaws: Flaws = {}): Promise<string> {
  const format = flaws.format ?? ((instant: number) => new Date(instant).toISOString());
  const firstStart = flaws.firstStart ?? (() => Math.ceil(Date.now() / HALF_HOUR) * HALF_HOUR + HALF_HOUR);
  const taken = new Map<number, string>();
  const book = (body: { contact_id?: string; start_iso?: string }) => {
    const start = parseInstant(body.start_iso ?? '');
    if (start === undefined || start < Date.now() || start % HALF_HOUR !== 0) {
      return { status: 'failed', reason: 'That time is not offered.' };
    }
    const holder = taken.get(start);
    if (holder !== undefined && holder !== body.contact_id) return { status: 'failed', reason: 'That time is taken.' };
    taken.set(start, body.contact_id ?? '');
    return { status: 'success' };
  };
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      const answer = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (flaws.key && request.headers['x-telli-signature'] !== sign(raw, flaws.key)) return answer(401, {});
      // A server without Slotline's admin API: every GET is unknown.
      if (request.method !== 'POST') return answer(404, {});
      if (request.url === '/available') {
        const starts = Array.from({ length: 6 }, (_, index) => firstStart() + index * HALF_HOUR);
        return answer(200, {
          available: starts.map((start) => ({ start_iso: format(start), end_iso: format(start + HALF_HOUR) })),
        });
      }
      if (flaws.book) {
        const { status, body } = flaws.book();
        return answer(status, body);
      }
      return answer(200, book(JSON.parse(raw)));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

const check = (base: string, options: Partial<CheckOptions> = {}) =>
  runCheck({ availableUrl: `${base}/available`, bookUrl: `${base}/book`, book: true, ...options });

const outcomes = (report: CheckReport) =>
  Object.fromEntries(report.results.map((result) => [result.name, result.outcome]));

const resultOf = (report: CheckReport, name: string) => report.results.find((result) => result.name === name);

describe('slotline check against Slotline', () => {
  it('should pass every check with a signing key and one resource', async () => {
    const report = await check(await slotline({}, KEY), { key: KEY });
    expect(report.results.filter((result) => result.outcome !== 'pass')).toEqual([]);
    expect(outcomes(report)).toHaveProperty(['signature: book wrong key'], 'pass');
    expect(outcomes(report)).toHaveProperty(['book: past start'], 'pass');
  });

  it('should fail nothing without a key and with two resources, warning about both', async () => {
    const report = await check(await slotline({ resources: '[{ id: anna }, { id: ben }]' }));
    expect(report.summary.failed).toBe(0);
    expect(outcomes(report)).toMatchObject({ signature: 'warn', 'book: same slot, other contact': 'warn' });
    expect(resultOf(report, 'book: same slot, other contact')?.detail).toContain('2 resources seem free');
    expect(report.summary.warned).toBe(2);
  });

  it('should fail nothing with a key and two resources', async () => {
    const report = await check(await slotline({ resources: '[{ id: anna }, { id: ben }]' }, KEY), { key: KEY });
    expect(report.summary).toEqual({ passed: report.results.length - 1, warned: 1, failed: 0 });
  });

  it('should book nothing with book false, saying so', async () => {
    const report = await check(await slotline(), { book: false });
    const urls = report.results.flatMap((result) => result.requests.map((request) => request.url));
    expect(urls.filter((url) => url.endsWith('/book'))).toEqual([]);
    expect(resultOf(report, 'book')).toMatchObject({ outcome: 'warn', detail: 'not checked (--no-book)' });
  });

  it('should fail the listing when the signed request is refused by a wrong key', async () => {
    const report = await check(await slotline({}, KEY), { key: 'another-key' });
    expect(resultOf(report, 'available: answer')).toMatchObject({ outcome: 'fail' });
    expect(resultOf(report, 'available: answer')?.detail).toMatch(/^answered 401: .* \(is --key the right key\?\)$/);
  });
});

describe('slotline check --admin-token', () => {
  it('should cancel every booking it made on Slotline at the end, and list none as left', async () => {
    const base = await slotline({ resources: '[{ id: anna }, { id: ben }]' }, undefined, true);
    const report = await check(base, { adminToken: ADMIN_TOKEN });
    expect(report.bookings).toHaveLength(2);
    expect(report.cleanup).toEqual({
      cancelled: report.bookings,
      detail: 'cancelled 2 of 2 through the admin API',
    });
    const { store } = running[0]!;
    expect(await store.activeBookings('main', 0)).toEqual([]);
    const made = (await store.bookings('main')).filter((booking) => booking.status === 'cancelled');
    expect(made.map((booking) => booking.contactId).sort()).toEqual(
      report.bookings.map((booking) => booking.contactId).sort(),
    );
    const record = await store.bookingById(made[0]!.id);
    expect(record?.cancelReason).toBe('made by slotline check');
    const table = renderTable(report);
    expect(table).toContain("The check's bookings: cancelled 2 of 2 through the admin API.");
    expect(table).not.toContain('This check made');
    expect(JSON.parse(renderJson(report))).not.toHaveProperty('bookingsNote');
  });

  it("should find them through a calendar's own URLs too", async () => {
    const base = `${await slotline({}, undefined, true)}/calendars/main`;
    const report = await check(base, { adminToken: ADMIN_TOKEN });
    expect(report.cleanup?.cancelled).toHaveLength(1);
    expect(await running[0]!.store.activeBookings('main', 0)).toEqual([]);
  });

  it('should cancel nothing and list the bookings when the token is refused', async () => {
    const report = await check(await slotline({}, undefined, true), { adminToken: 'not-the-token-at-all-0000' });
    expect(report.cleanup).toEqual({ cancelled: [], detail: 'the target refused the admin token; nothing cancelled' });
    expect(renderTable(report)).toContain('This check made 1 booking on the target');
    expect(await running[0]!.store.activeBookings('main', 0)).toHaveLength(1);
  });

  it('should print the bookings as before against a server without the admin API', async () => {
    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
    const base = await fakeCalendar();
    await checkCommand().parseAsync([`${base}/available`, '--book-url', `${base}/book`, '--admin-token', ADMIN_TOKEN], {
      from: 'user',
    });
    const table = printed.mock.calls[0]![0] as string;
    expect(table).toContain("The check's bookings: the target has no Slotline admin API (404); nothing cancelled.");
    expect(table).toContain('This check made 1 booking on the target');
  });
});

describe('slotline check against broken servers', () => {
  it('should pass every check on the correct fake, so that each flaw below is the only one', async () => {
    const report = await check(await fakeCalendar({ key: KEY }), { key: KEY });
    expect(report.summary.failed + report.summary.warned).toBe(0);
  });

  it('should fail timestamps without a zone', async () => {
    const report = await check(
      await fakeCalendar({ format: (instant) => new Date(instant).toISOString().slice(0, -1) }),
    );
    expect(resultOf(report, 'available: timestamps')).toMatchObject({ outcome: 'fail' });
    expect(resultOf(report, 'available: timestamps')?.detail).toMatch(/^no time zone: slot 1 start_iso/);
  });

  it('should fail a 500 on /book', async () => {
    const report = await check(await fakeCalendar({ book: () => ({ status: 500, body: { error: 'boom' } }) }));
    expect(resultOf(report, 'book: listed slot')).toMatchObject({
      outcome: 'fail',
      detail: 'answered 500: "{\\"error\\":\\"boom\\"}"',
    });
  });

  it('should fail a double booking when /book always succeeds', async () => {
    const report = await check(await fakeCalendar({ book: () => ({ status: 200, body: { status: 'success' } }) }));
    const double = resultOf(report, 'book: same slot, other contact');
    expect(double?.outcome).toBe('fail');
    expect(double?.detail).toMatch(/^double booking allowed: 51 contacts/);
    expect(double?.requests).toHaveLength(50);
    expect(outcomes(report)).toMatchObject({ 'book: unoffered start': 'fail', 'book: past start': 'fail' });
  });

  it('should fail a signature ignored when an unsigned request is answered 200', async () => {
    const report = await check(await fakeCalendar(), { key: KEY });
    for (const name of ['available unsigned', 'available wrong key', 'book unsigned', 'book wrong key']) {
      expect(resultOf(report, `signature: ${name}`)).toMatchObject({
        outcome: 'fail',
        detail: 'signature ignored: answered 200',
      });
    }
  });

  it('should fail slots in the past', async () => {
    const report = await check(await fakeCalendar({ firstStart: () => Date.now() - 3 * 60 * 60_000 }));
    expect(resultOf(report, 'available: slots')).toMatchObject({ outcome: 'fail' });
    expect(resultOf(report, 'available: slots')?.detail).toMatch(/^in the past: slot 1/);
  });

  it('should fail an unreachable target without throwing', async () => {
    const closed = await fakeCalendar();
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const report = await runCheck({ availableUrl: `${closed}/available`, book: false });
    expect(resultOf(report, 'available: answer')).toMatchObject({ outcome: 'fail', detail: 'no answer: ECONNREFUSED' });
  });
});

describe('slotline check output', () => {
  it('should render a table with one line per check and the counts', async () => {
    const report = await check(await slotline(), { book: false });
    const lines = renderTable(report).split('\n');
    expect(lines[0]).toMatch(/^check\s+result\s+detail$/);
    expect(lines).toHaveLength(report.results.length + 3);
    expect(lines.at(-1)).toBe(`${report.summary.passed} passed, 2 warned, 0 failed`);
    expect(lines.find((line) => line.startsWith('available: slots'))).toMatch(/pass\s+ends after starts/);
  });

  it('should end the table with every booking it made, by calendar, start and contact id, and offer --no-book', async () => {
    const base = await slotline({ resources: '[{ id: anna }, { id: ben }]' });
    const report = await check(base);
    // The listed slot for one contact (its retry books nothing new), then for one more contact per resource.
    expect(report.bookings).toHaveLength(2);
    const bookUrl = `${base}/book`;
    const stored = await running[0]!.store.activeBookings('main', 0);
    const byContact = (x: { contactId: string | null }, y: { contactId: string | null }) =>
      x.contactId!.localeCompare(y.contactId!);
    expect([...report.bookings].sort(byContact)).toEqual(
      stored
        .map((booking) => ({ bookUrl, start: new Date(booking.start).toISOString(), contactId: booking.contactId }))
        .sort(byContact),
    );
    expect(report.bookings.every(({ contactId }) => contactId.startsWith('slotline-check-'))).toBe(true);

    const lines = renderTable(report).split('\n');
    const counts = lines.indexOf(`${report.summary.passed} passed, 2 warned, 0 failed`);
    expect(lines.slice(counts + 2)).toEqual([
      'This check made 2 bookings on the target; they stay in the calendar until you cancel them there ' +
        '(contact ids start with "slotline-check-"). Run with --no-book to check without booking, ' +
        'or, against Slotline, with --admin-token to cancel them at the end.',
      expect.stringMatching(/^calendar\s+start\s+contact id$/),
      ...report.bookings.map(({ start, contactId }) => `${bookUrl}  ${start}  ${contactId}`),
    ]);
  });

  it('should list the bookings made in --json too, with the note that offers --no-book', async () => {
    const base = await slotline();
    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
    await checkCommand().parseAsync([`${base}/available`, '--book-url', `${base}/book`, '--json'], { from: 'user' });
    const parsed = JSON.parse(printed.mock.calls[0]![0]);
    const [stored] = await running[0]!.store.activeBookings('main', 0);
    expect(parsed.bookings).toEqual([
      { bookUrl: `${base}/book`, start: new Date(stored!.start).toISOString(), contactId: stored!.contactId },
    ]);
    expect(parsed.bookingsNote).toMatch(/^This check made 1 booking on the target; .* Run with --no-book /);
  });

  it('should list no bookings, and print no note, with --no-book', async () => {
    const base = await slotline();
    const report = await check(base, { book: false });
    expect(report.bookings).toEqual([]);
    expect(renderTable(report)).not.toContain('This check made');
    expect(JSON.parse(renderJson(report))).not.toHaveProperty('bookingsNote');
    expect(await running[0]!.store.activeBookings('main', 0)).toEqual([]);
  });

  it('should list a booking that a target confirms although the start is in the past', async () => {
    const base = await fakeCalendar({ book: () => ({ status: 200, body: { status: 'success' } }) });
    const report = await check(base);
    // The listed slot, 50 more contacts on it, the start never offered and the one in the past.
    expect(report.bookings).toHaveLength(53);
    expect(new Set(report.bookings.map(({ contactId }) => contactId)).size).toBe(53);
    expect(Date.parse(report.bookings.at(-1)!.start)).toBeLessThan(Date.now());
  });

  it('should render JSON with every check and the latency of every request', async () => {
    const parsed = JSON.parse(renderJson(await check(await slotline())));
    expect(parsed.summary).toEqual({ passed: expect.any(Number), warned: 1, failed: 0 });
    const listed = parsed.results.find((result: any) => result.name === 'book: listed slot');
    expect(listed).toMatchObject({ outcome: 'pass', requests: [{ status: 200, ms: expect.any(Number) }] });
  });

  it('should set exit code 1 and print JSON for a broken server with --json', async () => {
    const base = await fakeCalendar({ book: () => ({ status: 500, body: {} }) });
    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
    await checkCommand().parseAsync([`${base}/available`, '--book-url', `${base}/book`, '--json'], { from: 'user' });
    expect(process.exitCode).toBe(1);
    expect(JSON.parse(printed.mock.calls[0]![0]).summary.failed).toBeGreaterThan(0);
  });

  it('should leave the exit code alone when nothing fails', async () => {
    const base = await slotline();
    vi.spyOn(console, 'log').mockImplementation(() => {});
    await checkCommand().parseAsync([`${base}/available`, '--book-url', `${base}/book`], { from: 'user' });
    expect(process.exitCode).toBeUndefined();
  });

  it('should say in --help that it books real appointments and that --no-book avoids it', () => {
    let help = '';
    checkCommand()
      .configureOutput({ writeOut: (text) => (help += text) })
      .outputHelp();
    expect(help).toContain('The check books real appointments on the target');
    expect(help).toContain('--no-book avoids all booking');
    expect(help).toContain('"slotline-check-"');
  });

  const wired = readFileSync(join(import.meta.dirname, '../../src/cli/main.ts'), 'utf8').includes('checkCommand');
  it.skipIf(!wired)(
    'should exit 1 from the built CLI for a broken server',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async ({ signal }) => {
      const base = await fakeCalendar({ book: () => ({ status: 500, body: {} }) });
      // Asynchronously: the fake server lives in this process and must keep answering.
      const run = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
        // The signal kills the child if the test times out; otherwise the test ends only once it has exited.
        const child = execFile(process.execPath, [BIN, 'check', `${base}/available`, '--book-url', `${base}/book`], {
          signal,
        });
        let stdout = '';
        child.stdout?.on('data', (chunk) => (stdout += chunk));
        child.once('error', reject);
        child.on('close', (code) => resolve({ code, stdout }));
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('answered 500');
    },
  );
});
