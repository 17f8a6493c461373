import { createServer, type RequestListener, type Server } from 'node:http';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { simulateCommand } from '../../src/simulate/simulate.command.js';
import { runSimulation, type SimulationReport } from '../../src/simulate/simulate.js';
import { calendarYaml, start, type Running } from '../http/harness.js';
import { dropTestDatabases } from '../dialects.js';

const KEY = 'telli-test-key';
const alwaysOpen = (extraTop = '') =>
  calendarYaml({ hours: '{ mon-sun: ["00:00-24:00"] }', resources: '[{ id: anna }, { id: ben }]' }, extraTop);

const apps: Running[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});
afterAll(dropTestDatabases);

async function slotline(yaml: string): Promise<Running> {
  const app = await start({ yaml, now: Date.now() });
  apps.push(app);
  return app;
}

/** A server of our own on a loopback port, for behaviours Slotline must never show. */
async function serverWith(handler: RequestListener): Promise<string> {
  const server = createServer(handler).listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** Offers the same few slots forever and says yes to every booking. */
const acceptsEverything: RequestListener = (request, response) => {
  request.resume().on('end', () => {
    const day = Date.parse('2030-01-07T09:00:00Z');
    const slots = [0, 1, 2, 3, 48].map((hours) => new Date(day + hours * 3_600_000).toISOString());
    const body = request.url?.endsWith('/available')
      ? { available: slots.map((start) => ({ start_iso: start, end_iso: start })) }
      : { status: 'success' };
    response.setHeader('content-type', 'application/json').end(JSON.stringify(body));
  });
};

/** The figures every run must satisfy, whatever the server. */
function expectConsistent(report: SimulationReport): void {
  const { outcomes } = report;
  expect(outcomes.booked + outcomes.gaveUp + outcomes.nothingOffered + outcomes.broken).toBe(report.calls);
  expect(report.book.succeeded).toBe(outcomes.booked + report.mindChanges.succeeded);
  expect(report.http.requests).toBe(report.latencyMs.available.count + report.latencyMs.book.count);
}

describe('simulate against Slotline', () => {
  it('should report no double booking and no idempotency violation, in figures that match the database', async () => {
    const app = await slotline(alwaysOpen());
    const report = await runSimulation({
      availableUrl: `${app.url}/available`,
      bookUrl: `${app.url}/book`,
      calls: 200,
      concurrency: 20,
      resources: 2,
      seed: 7,
    });

    expect(report.ok).toBe(true);
    expect(report.overbooking.doubleBookings).toEqual([]);
    expect(report.overbooking.offeredWhileFull).toEqual([]);
    expect(report.retries.sent).toBeGreaterThan(0);
    expect(report.retries.idempotencyViolations).toBe(0);
    expect(report.mindChanges.succeeded).toBeGreaterThan(0);
    // Callers crowd the first few slots: some lose the race and try again.
    expect(report.book.conflicts).toBeGreaterThan(0);
    expect(report.http).toMatchObject({ non2xx: 0, timeouts: 0, networkErrors: 0, unreadable: 0 });
    expectConsistent(report);

    // Every booked call holds exactly one booking at the end: mind changes replaced the first one.
    const active = (await app.store.bookings('main')).filter((booking) => booking.status === 'active');
    expect(report.overbooking.heldContacts).toBe(report.outcomes.booked);
    expect(active).toHaveLength(report.overbooking.heldContacts);
    expect(new Set(active.map((booking) => booking.contactKey)).size).toBe(active.length);
    expect(new Set(active.map((booking) => booking.start)).size).toBe(report.overbooking.heldStarts);
    expect(report.overbooking.mostHoldersOnOneStart).toBe(2);
  });

  it('should sign its requests with the key, as telli does', async () => {
    const app = await slotline(alwaysOpen(`signing_keys: [${KEY}]\n`));
    const options = { availableUrl: `${app.url}/available`, bookUrl: `${app.url}/book`, calls: 20, concurrency: 5 };

    const signed = await runSimulation({ ...options, key: KEY, resources: 2 });
    expect(signed.outcomes.booked).toBeGreaterThan(0);
    expect(signed.outcomes.broken).toBe(0);
    expect(signed.http.non2xx).toBe(0);

    const unsigned = await runSimulation({ ...options, key: 'wrong' });
    expect(unsigned.outcomes.broken).toBe(20);
    expect(unsigned.http).toMatchObject({ non2xx: 21, status5xx: 0 });
    expect(unsigned.ok).toBe(true);
  });
});

describe('simulate against other servers', () => {
  it('should detect the double bookings of a server that accepts every booking, and fail', async () => {
    const url = await serverWith(acceptsEverything);
    const report = await runSimulation({
      availableUrl: `${url}/available`,
      bookUrl: `${url}/book`,
      calls: 50,
      concurrency: 10,
      resources: 1,
    });

    expect(report.ok).toBe(false);
    expect(report.outcomes.booked).toBe(50);
    expect(report.overbooking.doubleBookings.length).toBeGreaterThan(0);
    expect(report.overbooking.doubleBookings.every((slot) => slot.holders > 1)).toBe(true);
    expect(report.overbooking.offeredWhileFull.length).toBeGreaterThan(0);
    expectConsistent(report);
  });

  it('should print the double bookings and exit 1 from the command line', async () => {
    const url = await serverWith(acceptsEverything);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await simulateCommand().parseAsync([`${url}/available`, '--calls', '30', '--json'], { from: 'user' });
      expect(process.exitCode).toBe(1);
    } finally {
      vi.restoreAllMocks();
      process.exitCode = undefined;
    }
    const report = JSON.parse(printed.join('\n')) as SimulationReport;
    expect(report.calls).toBe(30);
    expect(report.overbooking.doubleBookings.length).toBeGreaterThan(0);
  });

  it('should tell refusals of slots still offered from conflicts, and keep their reasons', async () => {
    const url = await serverWith((request, response) => {
      if (request.url?.endsWith('/available')) return acceptsEverything(request, response);
      request.resume().on('end', () => response.end(JSON.stringify({ status: 'failed', reason: 'We are closed.' })));
    });
    const report = await runSimulation({
      availableUrl: `${url}/available`,
      bookUrl: `${url}/book`,
      calls: 5,
      concurrency: 5,
    });

    expect(report.outcomes.gaveUp).toBe(5);
    expect(report.book).toEqual({ succeeded: 0, conflicts: 0, otherFailures: 15, otherReasons: ['We are closed.'] });
    expectConsistent(report);
  });

  it('should make the same decisions again with the same seed', async () => {
    const url = await serverWith(acceptsEverything);
    const run = () =>
      runSimulation({ availableUrl: `${url}/available`, bookUrl: `${url}/book`, calls: 40, concurrency: 8, seed: 42 });
    const [first, second] = [await run(), await run()];
    expect(second.overbooking).toEqual(first.overbooking);
    expect([second.retries, second.mindChanges]).toEqual([first.retries, first.mindChanges]);
  });

  it('should count a /book that never answers as a timeout and leave its caller out of the check', async () => {
    const url = await serverWith((request, response) => {
      if (request.url?.endsWith('/available')) acceptsEverything(request, response);
      else request.resume(); // never answers
    });
    const report = await runSimulation({
      availableUrl: `${url}/available`,
      bookUrl: `${url}/book`,
      calls: 4,
      concurrency: 4,
      timeoutMs: 200,
    });

    expect(report.http.timeouts).toBe(4);
    expect(report.outcomes.broken).toBe(4);
    expect(report.overbooking).toMatchObject({ heldContacts: 0, uncertainContacts: 4, doubleBookings: [] });
    expect(report.ok).toBe(true);
  });
});
