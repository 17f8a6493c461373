import type { CompiledQuery } from 'kysely';
import type { BookingQueries } from './booking.queries.js';
import { toBlockedRange, toBooking, toBusyRange, toSourceState, toWriteback, type Row } from './booking.rows.js';
import { markOf } from './booking.transaction.js';
import type { BusyQueries } from './busy.queries.js';
import type { WritebackQueries } from './writeback.queries.js';
import type { Store } from './store.js';

/** What a dialect supplies: how to run compiled queries, and its booking transaction. */
export interface Runner {
  readonly queries: BookingQueries;
  readonly busyQueries: BusyQueries;
  readonly writebackQueries: WritebackQueries;
  read(query: CompiledQuery): Promise<Row[]>;
  /** Runs the statements as one transaction and returns the rows of each. */
  atomically(queries: readonly CompiledQuery[]): Promise<Row[][]>;
  book: Store['book'];
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The store on top of a dialect's runner: every method but booking is the same everywhere. */
export function storeOn(runner: Runner): Store {
  const { queries, busyQueries, writebackQueries } = runner;
  return {
    activeBlocked: async (calendarId, from, to) =>
      (await runner.read(queries.activeBlocked(calendarId, from, to))).map(toBlockedRange),
    book: runner.book,
    changeMark: async (calendarId) => markOf(await runner.read(queries.version(calendarId))),
    busy: async (calendarId, from, to) => (await runner.read(busyQueries.busy(calendarId, from, to))).map(toBusyRange),
    replaceBusy: async (source, intervals, synced) => {
      await runner.atomically([
        ...busyQueries.replace(source, intervals),
        ...(synced ? [busyQueries.synced(source.id, synced.tag, synced.at)] : []),
        queries.bumpVersion(source.calendarId),
      ]);
    },
    recordSyncUnchanged: async (sourceId, tag, now) => {
      await runner.atomically([busyQueries.synced(sourceId, tag, now)]);
    },
    recordSyncFailure: async (sourceId, error, now, retryAt) => {
      await runner.atomically([busyQueries.failed(sourceId, error, now, retryAt)]);
    },
    claimSync: async (sourceId, now, until) => {
      const [claimed] = await runner.atomically([busyQueries.claim(sourceId, now, until)]);
      return (claimed ?? []).length > 0;
    },
    sourceStates: async () => (await runner.read(busyQueries.states())).map(toSourceState),
    claimWritebacks: async (now, leaseUntil, limit) => {
      const claimed = [];
      for (const row of await runner.read(writebackQueries.due(now, limit))) {
        const writeback = toWriteback(row);
        const [leased] = await runner.atomically([writebackQueries.lease(writeback, now, leaseUntil)]);
        if (leased?.length) claimed.push({ ...writeback, attempts: Number(row.attempts) });
      }
      return claimed;
    },
    writebackDone: async (writeback, now) => {
      await runner.atomically([writebackQueries.done(writeback, now)]);
    },
    writebackFailed: async (writeback, error, retryAt) => {
      await runner.atomically([writebackQueries.failed(writeback, error, retryAt)]);
    },
    bookingById: async (id) => (await runner.read(queries.byId(id))).map(toBooking)[0],
    activeBookings: async (calendarId, since) =>
      (await runner.read(queries.activeSince(calendarId, since))).map(toBooking),
    bookings: async (calendarId) => (await runner.read(queries.all(calendarId))).map(toBooking),
    ping: runner.ping,
    close: runner.close,
  };
}
