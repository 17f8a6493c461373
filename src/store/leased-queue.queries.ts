import { Kysely, type Dialect, type ExpressionBuilder, type Selectable } from 'kysely';
import type { Database } from './database.js';

/**
 * The tables that are leased queues: a row is due once its `next_at` has passed, and a process
 * leases it by moving `next_at` to the lease's end, so no other process takes it meanwhile.
 */
export type QueueTable = 'email_deliveries' | 'webhook_deliveries' | 'writebacks';

/** What names one row; a write-back's key includes its generation, as a row queued again is another. */
const KEY_COLUMNS = {
  email_deliveries: ['id'],
  webhook_deliveries: ['id'],
  writebacks: ['booking_id', 'source_id', 'action', 'generation'],
} as const;

export type QueueRow<T extends QueueTable> = Selectable<Database[T]>;
export type QueueKey<T extends QueueTable> = Pick<QueueRow<T>, (typeof KEY_COLUMNS)[T][number] & keyof QueueRow<T>>;

/** The due, lease and release queries of one queue table. */
export function leasedQueueQueries<T extends QueueTable>(dialect: Dialect, table: T) {
  const db = new Kysely<Database>({ dialect });
  // Kysely cannot type a query on a table that a type parameter names: each query is built on the
  // union of the queue tables, which checks the columns it uses, and `$castTo` gives its rows the
  // type of table T's own.
  const queue: QueueTable = table;
  /** A row still to be attempted: a delivery while pending, a write-back until done. */
  const open = (eb: ExpressionBuilder<Database, QueueTable>) =>
    table === 'writebacks' ? eb('done_at', 'is', null) : eb('status', '=', 'pending');
  // The key as `due` returned it: exactly its key columns, each one a condition.
  const one = (key: QueueKey<T>) =>
    db
      .updateTable(queue)
      .where((eb) => eb.and(key))
      .where(open);

  return {
    due: (now: number, limit: number) =>
      db
        .selectFrom(queue)
        .select(KEY_COLUMNS[queue])
        .where(open)
        .where('next_at', '<=', now)
        .orderBy('next_at')
        .limit(limit)
        .$castTo<QueueKey<T>>()
        .compile(),

    /** Returns the row only when this caller got the lease: the one attempt until `until` is its own. */
    lease: (key: QueueKey<T>, now: number, until: number) =>
      one(key).set({ next_at: until }).where('next_at', '<=', now).returningAll().$castTo<QueueRow<T>>().compile(),

    /** An attempt that was not made after all (the process is stopping): due again at once. */
    release: (key: QueueKey<T>, now: number) => one(key).set({ next_at: now }).compile(),
  };
}

export type LeasedQueueQueries<T extends QueueTable> = ReturnType<typeof leasedQueueQueries<T>>;
