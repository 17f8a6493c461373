import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../store/store.js';

/** One registry per app, so that several apps in one process (the tests) keep their own counts. */
export function createMetrics() {
  const registry = new Registry();
  // Process metrics, including nodejs_eventloop_lag_seconds.
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requestDuration: new Histogram({
      name: 'slotline_http_request_duration_seconds',
      help: 'HTTP request duration by route, status code and outcome',
      labelNames: ['route', 'status_code', 'outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
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
    }),
    databaseDuration: new Histogram({
      name: 'slotline_database_duration_seconds',
      help: 'Time spent in the database by operation',
      labelNames: ['operation'] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The store, with the time of each call recorded by operation. */
export function timedStore(store: Store, metrics: Metrics): Store {
  const timed =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const stop = metrics.databaseDuration.startTimer({ operation });
      try {
        return await call(...args);
      } finally {
        stop();
      }
    };
  return {
    activeBlocked: timed('active_blocked', store.activeBlocked.bind(store)),
    book: timed('book', store.book.bind(store)) as Store['book'],
    changeMark: timed('change_mark', store.changeMark.bind(store)),
    busy: timed('busy', store.busy.bind(store)),
    replaceBusy: timed('replace_busy', store.replaceBusy.bind(store)),
    recordSyncUnchanged: timed('record_sync_unchanged', store.recordSyncUnchanged.bind(store)),
    recordSyncFailure: timed('record_sync_failure', store.recordSyncFailure.bind(store)),
    claimSync: timed('claim_sync', store.claimSync.bind(store)),
    sourceStates: timed('source_states', store.sourceStates.bind(store)),
    claimWritebacks: timed('claim_writebacks', store.claimWritebacks.bind(store)),
    writebackDone: timed('writeback_done', store.writebackDone.bind(store)),
    writebackFailed: timed('writeback_failed', store.writebackFailed.bind(store)),
    bookingById: timed('booking_by_id', store.bookingById.bind(store)),
    activeBookings: timed('active_bookings', store.activeBookings.bind(store)),
    bookings: timed('bookings', store.bookings.bind(store)),
    ping: timed('ping', store.ping.bind(store)),
    close: store.close.bind(store),
  };
}
