import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import { parseConfig } from '../../src/config/config.loader.js';
import { holdConfig } from '../../src/config/live-config.js';
import { createOutboxWorker, type OutboxWorker } from '../../src/outbox/outbox.worker.js';
import { saturatedBy } from '../../src/outbox/saturation.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { DIALECTS, dropTestDatabases, freshDatabase } from '../dialects.js';
import { apiCall, bookedId } from '../http/api-client.js';
import { appsOn } from '../http/harness.js';
import { emailYaml, NINE, NOW, WITHIN } from '../notify/email-app.js';
import { startSilentSmtp } from '../notify/smtp-receiver.js';
import { bookDirectly } from '../store/book-directly.js';
import { newSecret, receivers, webhooksYaml } from '../webhooks/receiver.js';

/**
 * The outbox worker's lanes: the fan-out steps aside while the process is saturated, and no
 * channel waits for another.
 */
const HOUR = 3_600_000;
const CONFIG = `calendars:
  - id: cal
    timezone: Europe/Berlin
    duration: 30m
    hours: { mon-sun: ["00:00-24:00"] }
    resources: [{ id: r1 }]
`;
const quiet = { info: () => {}, warn: () => {} };

afterAll(dropTestDatabases);

describe.each(DIALECTS)('the outbox worker on %s', (dialect) => {
  const stores: Store[] = [];
  const workers: OutboxWorker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  it('should fan out one batch a poll while the process is saturated, and the rest at once when it is not', async () => {
    const store = await openStore(freshDatabase(dialect), DEFAULT_POOL);
    stores.push(store);
    for (let hour = 1; hour <= 250; hour++)
      await bookDirectly(store, { id: `b${hour}`, start: NOW + hour * HOUR, createdAt: NOW });
    const batches: { fannedOut: number; at: number }[] = [];
    // Saturated when asked the first time, not after.
    let asked = 0;
    const worker = createOutboxWorker({
      config: holdConfig(parseConfig(CONFIG, {})),
      store: {
        ...store,
        fanOut: async (...args) => {
          const fannedOut = await store.fanOut(...args);
          batches.push({ fannedOut, at: performance.now() });
          return fannedOut;
        },
      },
      log: quiet,
      onWebhookOutcome: () => {},
      onEmailOutcome: () => {},
      saturated: async () => ++asked === 1,
    });
    workers.push(worker);
    worker.start();

    await vi.waitFor(() => expect(batches.map((batch) => batch.fannedOut)).toEqual([100, 100, 50]), WITHIN);
    expect(asked).toBe(2);
    const [first, second, third] = batches;
    // After the saturated answer the next batch waited for the next poll (1 s); after the other, not.
    expect(second!.at - first!.at).toBeGreaterThan(900);
    expect(third!.at - second!.at).toBeLessThan(900);
  });

  const open = appsOn(dialect);
  const receiver = receivers();

  it('should send one batch of webhooks a poll while the process is saturated', async () => {
    const secret = newSecret();
    const hook = await receiver(secret);
    const app = await open({ yaml: webhooksYaml([{ url: hook.url, secret }]) + CONFIG, now: NOW });
    for (let hour = 1; hour <= 45; hour++) {
      await bookDirectly(app.store, { id: `b${hour}`, start: NOW + hour * HOUR, createdAt: NOW });
    }
    const worker = createOutboxWorker({
      config: holdConfig(app.config),
      store: app.store,
      log: quiet,
      onWebhookOutcome: () => {},
      onEmailOutcome: () => {},
      saturated: async () => true,
    });
    workers.push(worker);
    worker.start();

    await vi.waitFor(() => expect(hook.received).toHaveLength(45), WITHIN);
    const arrivals = hook.received.map((request) => request.at).sort((a, b) => a - b);
    // Batches of 20, each after the next poll (1 s).
    expect(arrivals[20]! - arrivals[19]!).toBeGreaterThan(900);
    expect(arrivals[40]! - arrivals[39]!).toBeGreaterThan(900);
  });

  it("should send a booking's webhook while the mails of the booking before hang", async () => {
    const smtp = await startSilentSmtp();
    try {
      const secret = newSecret();
      const hook = await receiver(secret);
      const webhooks = webhooksYaml([{ url: hook.url, secret }]);
      const app = await open({ yaml: emailYaml(smtp.url, webhooks), now: NOW });
      app.app.outbox.start();
      await bookedId(app, { contact_id: 'ada', start_iso: NINE });
      await vi.waitFor(() => expect(hook.received).toHaveLength(1), WITHIN);
      await vi.waitFor(() => expect(smtp.connections()).toBeGreaterThan(0), WITHIN);

      await bookedId(app, { contact_id: 'bob', start_iso: '2026-12-02T11:00:00.000Z' });
      await vi.waitFor(() => expect(hook.received).toHaveLength(2), WITHIN);
      // Ada's mails are still in their first attempt, which waits on the silent server for 15 s.
      const { deliveries } = (await apiCall(app, 'GET', '/email/deliveries')).body;
      const adas = deliveries.filter((delivery: any) => delivery.subject.includes('10:00'));
      expect(adas.length).toBeGreaterThan(0);
      expect(adas.every((delivery: any) => delivery.attempts === 0)).toBe(true);
    } finally {
      await smtp.close();
    }
  });
});

describe('saturatedBy', () => {
  /** Keeps the event loop busy, 5 ms a turn, answering a request a turn when asked, until stopped. */
  function spin(answering: boolean) {
    let answered = 0;
    let spinning = true;
    const turn = () => {
      const until = performance.now() + 5;
      while (performance.now() < until);
      if (answering) answered += 1;
      if (spinning) setImmediate(turn);
    };
    setImmediate(turn);
    return { answered: () => answered, stop: () => (spinning = false) };
  }

  it('should say no at once when no request was answered since the last probe', async () => {
    const probe = saturatedBy(() => 0, 60_000);
    expect(await probe()).toBe(false);
  });

  it('should say no for an idle event loop, though a request was answered', async () => {
    let answered = 0;
    const probe = saturatedBy(() => answered);
    answered += 1;
    expect(await probe()).toBe(false);
  });

  it('should say yes while requests keep the event loop busy', async () => {
    const load = spin(true);
    try {
      const probe = saturatedBy(load.answered, 50);
      await vi.waitFor(() => expect(load.answered()).toBeGreaterThan(0));
      expect(await probe()).toBe(true);
      // A lane's batch between two probes, while requests go on.
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await probe()).toBe(true);
    } finally {
      load.stop();
    }
  });

  it('should say no while the event loop is busy with no request (the outbox catching up)', async () => {
    let answered = 0;
    const load = spin(false);
    try {
      const probe = saturatedBy(() => answered, 50);
      // One answer before the probe makes it pause and look.
      answered += 1;
      expect(await probe()).toBe(false);
    } finally {
      load.stop();
    }
  });
});
