import type { Dialect } from 'kysely';
import { auditQueries, type AuditQueries } from './audit.queries.js';
import { auditStore, type AuditStore } from './audit.store.js';
import { bookingQueries, type BookingQueries } from './booking.queries.js';
import { bookingStore, type BookingStore } from './booking.store.js';
import type { Runner } from './runner.js';
import { sourceQueries, type SourceQueries } from './source.queries.js';
import { sourceStore, type SourceStore } from './source.store.js';
import { writebackQueries, type WritebackQueries } from './writeback.queries.js';
import { writebackStore, type WritebackStore } from './writeback.store.js';

/**
 * Storage behind the app: every focused store in one, for the code that opens, passes around and
 * closes it. Each dialect keeps the guarantees its own way; callers see the same behaviour
 * everywhere. A service takes only the focused store it uses.
 */
export interface Store extends BookingStore, SourceStore, WritebackStore, AuditStore {
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreQueries {
  readonly bookings: BookingQueries;
  readonly sources: SourceQueries;
  readonly writebacks: WritebackQueries;
  readonly audit: AuditQueries;
}

/** Every query, compiled by the dialect's own compiler. */
export function storeQueries(dialect: Dialect): StoreQueries {
  return {
    bookings: bookingQueries(dialect),
    sources: sourceQueries(dialect),
    writebacks: writebackQueries(dialect),
    audit: auditQueries(dialect),
  };
}

/** What a dialect supplies: how it runs queries, and its booking transaction. */
export interface DialectParts extends Runner {
  readonly queries: StoreQueries;
  readonly book: BookingStore['book'];
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The store on a dialect: every method but booking is the same everywhere. */
export function storeOn(dialect: DialectParts): Store {
  const { queries } = dialect;
  return {
    ...bookingStore(dialect, queries.bookings, dialect.book),
    ...sourceStore(dialect, queries.sources, queries.bookings.bumpVersion),
    ...writebackStore(dialect, queries.writebacks),
    ...auditStore(dialect, queries.audit),
    ping: dialect.ping,
    close: dialect.close,
  };
}
