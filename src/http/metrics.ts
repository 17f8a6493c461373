import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';
import { batched } from '../shared/batch.js';
import type { Store } from '../store/store.js';

/** One registry per app, so that several apps in one process (the tests) keep their own counts. */
export function createMetrics() {
  const registry = new Registry();
  // Process metrics, including nodejs_eventloop_lag_seconds.
  collectDefaultMetrics({ register: registry });
  const pending = pendingObservations();
  return {
    registry,
    pending,
    requestDuration: new Histogram({
      name: 'slotline_http_request_duration_seconds',
      help: 'HTTP request duration by route, status code and outcome',
      labelNames: ['route', 'status_code', 'outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
      collect: pending.flush,
    }),
    bookings: new Counter({
      name: 'slotline_bookings_total',
      help: 'Booking requests by calendar and outcome',
      labelNames: ['calendar', 'outcome'] as const,
      registers: [registry],
    }),
    slotsReturned: new Histogram({
      name: 'slotline_available_slots',
      help: 'Slots returned per /available answer',
      labelNames: ['calendar'] as const,
      buckets: [0, 1, 5, 10, 20, 40, 80, 160, 500, 1000],
      registers: [registry],
      collect: pending.flush,
    }),
    databaseDuration: new Histogram({
      name: 'slotline_database_duration_seconds',
      help: 'Time spent in the database by operation',
      labelNames: ['operation'] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'slotline_webhook_deliveries_total',
      help: 'Webhook attempts by outcome: delivered, retry (failed, tried again later), failed (given up)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    emailDeliveries: new Counter({
      name: 'slotline_email_deliveries_total',
      help: 'Mail attempts by outcome: sent, retry (refused for now, tried again later), failed (given up), skipped (a reminder no longer due)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

/** The age of the oldest webhook delivery and mail still pending, read from the database at each scrape. */
export function watchOutbox(
  metrics: Metrics,
  store: Pick<Store, 'oldestPendingWebhook' | 'oldestPendingEmail'>,
  clock: () => number = Date.now,
): void {
  const ageGauge = (name: string, help: string, oldestPending: () => Promise<number | undefined>) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      async collect() {
        const oldest = await oldestPending();
        this.set(oldest === undefined ? 0 : Math.max(0, clock() - oldest) / 1000);
      },
    });
  ageGauge(
    'slotline_webhook_oldest_pending_seconds',
    'Age of the oldest webhook delivery not yet delivered or given up; 0 when none is pending',
    () => store.oldestPendingWebhook(),
  );
  ageGauge(
    'slotline_email_oldest_pending_seconds',
    'Age of the oldest mail not yet sent or given up, reminders waiting for their time left out; 0 when none is pending',
    () => store.oldestPendingEmail(),
  );
}

export type Metrics = ReturnType<typeof createMetrics>;

/** How long an observation of a request may wait for others to be recorded with it. */
const OBSERVATION_BATCH_MS = 20;

/**
 * The per-request observations, recorded into their histograms in batches: every
 * OBSERVATION_BATCH_MS, and before each scrape (the histograms' `collect`), so that /metrics always
 * holds every request answered. prom-client checks and hashes a child's labels at each observation,
 * which costs less in a batch than once in each request (bench/README.md, 2026-12-01, third
 * session: about 4 % of /available's CPU a request).
 */
function pendingObservations() {
  return batched<readonly [Histogram.Internal<string>, number]>((batch) => {
    for (const [child, value] of batch) child.observe(value);
  }, OBSERVATION_BATCH_MS);
}

/**
 * Observations of a histogram by label set, through its child for each set, made at its first use
 * and kept under `key`, so that an observation makes no labels object (alone, a child's observation
 * took 0.8 µs against 1.4 µs with a new labels object).
 */
function observer<T extends string>(metrics: Metrics, histogram: Histogram<T>) {
  const children = new Map<string, Histogram.Internal<T>>();
  return (key: string, labels: () => LabelValues<T>, value: number): void => {
    let child = children.get(key);
    if (child === undefined) {
      child = histogram.labels(labels());
      children.set(key, child);
    }
    metrics.pending.add([child, value]);
  };
}

/**
 * Records a request's duration, by its route pattern (never the raw URL, which keeps the label set
 * small), status code and outcome.
 */
export function requestDurations(metrics: Metrics) {
  const observe = observer(metrics, metrics.requestDuration);
  return (route: string, statusCode: number, outcome: string, seconds: number): void =>
    observe(`${statusCode} ${outcome} ${route}`, () => ({ route, status_code: statusCode, outcome }), seconds);
}

/** Records how many slots an /available answer held, by calendar. */
export function slotCounts(metrics: Metrics) {
  const observe = observer(metrics, metrics.slotsReturned);
  return (calendarId: string, slots: number): void => observe(calendarId, () => ({ calendar: calendarId }), slots);
}

/**
 * The store, with the time of each call recorded by operation (the method's name in snake case),
 * so that a new store method is timed without being listed here. A proxy, so it times methods
 * wherever the store keeps them (own properties or its prototype chain).
 */
export function timedStore(store: Store, metrics: Metrics): Store {
  // Each method is wrapped (or bound) once, with its histogram child: /available reads the change
  // mark per request, and a new wrapper, bound function or label lookup per call showed in its profile.
  const wrapped = new Map<string, { member: unknown; call: (...args: unknown[]) => unknown }>();
  return new Proxy(store, {
    get(target, name, receiver) {
      const member: unknown = Reflect.get(target, name, receiver);
      if (typeof member !== 'function' || typeof name !== 'string') return member;
      const known = wrapped.get(name);
      if (known?.member === member) return known.call;
      // The change mark is answered from memory on both dialects (their marks): no database time to record.
      if (name === 'close' || name === 'changeMark') {
        const bound = member.bind(target) as (...args: unknown[]) => unknown;
        wrapped.set(name, { member, call: bound });
        return bound;
      }
      const operation = metrics.databaseDuration.labels({
        operation: name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
      });
      const timed = async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await member.apply(target, args);
        } finally {
          operation.observe((performance.now() - started) / 1000);
        }
      };
      wrapped.set(name, { member, call: timed });
      return timed;
    },
  });
}
