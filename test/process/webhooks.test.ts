import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DIALECTS, dropTestDatabases, freshDatabase } from '../dialects.js';
import { PROCESS_TEST_TIMEOUT_MS, serve, stopAll, type SlotlineProcess } from '../slotline-process.js';
import { newSecret, receivers, webhooksYaml, type Answer, type Received } from '../webhooks/receiver.js';

vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS, hookTimeout: PROCESS_TEST_TIMEOUT_MS });

/**
 * Webhooks from real `slotline serve` processes: an acknowledged booking produces its webhook
 * across `kill -9`, an attempt cut off by a crash is made again after the restart, and two
 * processes on one PostgreSQL database make each attempt once.
 */
const CALENDAR = `calendars:
  - id: shared
    timezone: UTC
    duration: 30m
    min_notice: 1h
    max_slots: 200
    hours: { mon-sun: ["00:00-24:00"] }
    resources: [{ id: r1 }, { id: r2 }]
`;
/** Past the 30 s lease of an attempt cut off by a crash, with room for a slow start. */
const WITHIN = { timeout: 45_000, interval: 100 };

const folder = mkdtempSync(join(tmpdir(), 'slotline-webhooks-'));
const receiver = receivers();
afterEach(stopAll);
afterAll(async () => {
  await dropTestDatabases();
  rmSync(folder, { recursive: true, force: true });
});

/** A config file sending every event to the receiver at `url`. */
function configFor(url: string, secret: string): string {
  const path = join(folder, `slotline-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, webhooksYaml([{ url, secret, retry_schedule: '[50ms, 50ms]' }]) + CALENDAR);
  return path;
}

const slots = async (slotline: SlotlineProcess): Promise<string[]> =>
  ((await slotline.post('/available', {})).body.available as { start_iso: string }[]).map((slot) => slot.start_iso);

async function book(slotline: SlotlineProcess, contact: string, start: string): Promise<void> {
  expect((await slotline.post('/book', { contact_id: contact, start_iso: start })).body).toEqual({ status: 'success' });
}

describe.each(DIALECTS)('webhooks of slotline serve on %s', (dialect) => {
  it('should deliver the webhook of a booking acknowledged right before kill -9, after the restart', async ({
    signal,
  }) => {
    const secret = newSecret();
    const hook = await receiver(secret);
    const args = ['--config', configFor(hook.url, secret), '--database', freshDatabase(dialect)];
    const first = await serve(args, { signal });
    const [start] = await slots(first);
    await book(first, 'ada', start!);
    await first.kill();
    // Where events go, by host: never the URL's path (it may hold a secret) nor the secret.
    expect(first.logs()).toContainEqual(
      expect.objectContaining({ msg: `webhooks on: 1 endpoint (${new URL(hook.url).host})` }),
    );
    expect(first.output()).not.toContain(new URL(hook.url).pathname);
    expect(first.output()).not.toContain(secret.slice('whsec_'.length));

    await serve(args, { signal });
    await vi.waitFor(() => expect(hook.received.length).toBeGreaterThan(0), WITHIN);
    const [event] = hook.events();
    expect(event).toMatchObject({ type: 'booking.created', data: { contact_id: 'ada', start_iso: start } });
  });

  // The lease is the same code on both dialects; one is enough for a test that waits it out.
  it.runIf(dialect === DIALECTS[0])(
    'should make an attempt cut off by kill -9 again after the restart, under the same webhook-id',
    async ({ signal }) => {
      const secret = newSecret();
      let hold = true;
      let inFlight: () => void = () => {};
      const arrived = new Promise<void>((resolve) => (inFlight = resolve));
      // While `hold`, the receiver takes the request and never answers it.
      const hook = await receiver(secret, (): Answer | undefined => {
        if (!hold) return { status: 200 };
        inFlight();
        return undefined;
      });
      const args = ['--config', configFor(hook.url, secret), '--database', freshDatabase(dialect)];
      const first = await serve(args, { signal });
      await book(first, 'ada', (await slots(first))[0]!);
      await arrived;
      await first.kill();
      hold = false;

      await serve(args, { signal });
      await vi.waitFor(() => expect(hook.received).toHaveLength(2), WITHIN);
      expect(hook.received.map((request: Received) => [request.id, request.attempt])).toEqual([
        [hook.received[0]!.id, 1],
        [hook.received[0]!.id, 2],
      ]);
    },
  );
});

describe.skipIf(!DIALECTS.includes('postgres'))('webhooks of two slotline serve processes on PostgreSQL', () => {
  it('should make each attempt once, whichever process makes it', async ({ signal }) => {
    const secret = newSecret();
    // Every message fails once, so each is attempted twice: once, and once on retry.
    const hook = await receiver(secret, (request) => ({ status: request.attempt === 1 ? 500 : 200 }));
    const args = ['--config', configFor(hook.url, secret), '--database', freshDatabase('postgres')];
    const [a, b] = await Promise.all([serve(args, { signal }), serve(args, { signal })]);
    const starts = (await slots(a)).slice(0, 20);
    await Promise.all(starts.map((start, index) => book(index % 2 === 0 ? a : b, `caller-${index}`, start)));

    const delivered = () => new Set(hook.received.filter((request) => request.attempt === 2).map((each) => each.id));
    await vi.waitFor(() => expect(delivered().size).toBe(20), WITHIN);
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);

    const attempts = new Map<string, number>();
    for (const request of hook.received) attempts.set(request.id, (attempts.get(request.id) ?? 0) + 1);
    expect([...attempts.values()]).toEqual(Array(20).fill(2));
    expect(new Set(hook.events().map((event) => event.data.contact_id)).size).toBe(20);
  });
});
