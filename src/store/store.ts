import { auditStore, type AuditStore } from './audit.store.js';
import { bookingStore, type BookingStore, type KnownMarks } from './booking.store.js';
import { emailDeliveryStore, type EmailDeliveryStore } from './email-delivery.store.js';
import { outboxStore, type OutboxStore } from './outbox.store.js';
import type { Runner } from './runner.js';
import type { StoreQueries } from './store-queries.js';
import { sourceStore, type SourceStore } from './source.store.js';
import { timeOffStore, type TimeOffStore } from './time-off.store.js';
import { webhookDeliveryStore, type WebhookDeliveryStore } from './webhook-delivery.store.js';
import { writebackStore, type WritebackStore } from './writeback.store.js';

/**
 * Storage behind the app: every focused store in one, for the code that opens, passes around and
 * closes it. Each dialect keeps the guarantees its own way; callers see the same behaviour
 * everywhere. A service takes only the focused store it uses.
 */
export interface Store
  extends
    BookingStore,
    SourceStore,
    WritebackStore,
    AuditStore,
    TimeOffStore,
    OutboxStore,
    WebhookDeliveryStore,
    EmailDeliveryStore {
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What a dialect supplies: how it runs queries and transactions. */
export interface DialectParts extends Runner {
  readonly queries: StoreQueries;
  /** Change marks known without a round trip, where the dialect keeps them. */
  readonly marks?: KnownMarks;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The store on a dialect: every method is the same everywhere, built on the dialect's runner. */
export function storeOn(dialect: DialectParts): Store {
  const { queries } = dialect;
  return {
    ...bookingStore(dialect, queries, dialect.marks),
    ...sourceStore(dialect, queries.sources, queries.bookings.bumpVersion, dialect.marks),
    ...writebackStore(dialect, queries.writebacks),
    ...auditStore(dialect, queries.audit),
    ...timeOffStore(dialect, queries, dialect.marks),
    ...outboxStore(dialect, queries),
    ...webhookDeliveryStore(dialect, queries.webhookDeliveries),
    ...emailDeliveryStore(dialect, queries.emailDeliveries),
    ping: dialect.ping,
    close: dialect.close,
  };
}
