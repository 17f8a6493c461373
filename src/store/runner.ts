import type { CompiledQuery } from 'kysely';

/** The row a compiled query returns, as Kysely inferred it. */
export type RowOf<Q> = Q extends CompiledQuery<infer R> ? R : never;

/** The rows of each query of a batch, in order. */
export type RowsOf<Q extends readonly CompiledQuery[]> = { -readonly [K in keyof Q]: RowOf<Q[K]>[] };

/** Named reads of a transaction. */
export type Reads = Record<string, CompiledQuery>;

/** The rows each named read returned. */
export type RowsByName<R extends Reads> = { readonly [K in keyof R]: readonly RowOf<R[K]>[] };

/**
 * Writes that a later run makes again from elsewhere (busy time synced from a feed, a sync's
 * bookkeeping): SQLite commits them without waiting for the disk, so that the event loop does not
 * wait for an fsync for them (2-12 ms each here). In WAL mode such a commit can be undone by a
 * power failure, never by a crash of the process, and never partly; the next sync writes it again.
 * PostgreSQL commits them as any other.
 */
export interface Rebuildable {
  /** Absent: durable at commit. */
  readonly rebuildable?: boolean;
}

/**
 * A change decided inside one transaction: locks, then reads, then a plan over their rows, then
 * the plan's writes. `plan` is synchronous and pure: better-sqlite3's transaction cannot await,
 * and PostgreSQL runs it again on fresh rows when it retries after a conflict.
 */
export interface Transaction<R extends Reads, T> extends Rebuildable {
  /** Keys of the advisory locks to take first, in this order (PostgreSQL; SQLite's BEGIN IMMEDIATE locks all). */
  readonly locks: readonly string[];
  /**
   * Keys taken after `locks` in shared mode: transactions sharing one run side by side, and one
   * that takes the same key in `locks` waits for them all and they for it.
   */
  readonly sharedLocks?: readonly string[];
  /**
   * PostgreSQL: run the transaction's statements on their generic plans, made once per connection
   * for any values, never planned again per call. For the booking decision's snapshot, whose window
   * read PostgreSQL otherwise plans anew on every booking of a calendar its statistics call rare
   * (docs/ARCHITECTURE.md, "Statements on PostgreSQL"). SQLite ignores it.
   */
  readonly genericPlans?: boolean;
  readonly reads: R;
  plan(rows: RowsByName<R>): TransactionPlan<T>;
  /**
   * The locks the plan's decision must be made under (a booking under a cap: its resource's day).
   * The runner takes those it does not hold yet, then reads and plans again, until the plan asks
   * for no other; its writes run only then.
   */
  locksFor?(result: T): readonly string[];
}

export interface TransactionPlan<T> {
  /** Absent when the plan changes nothing. */
  readonly writes?: PlannedWrites;
  readonly result: T;
}

/** The writes of a plan, and the calendar's version bump to run after them. */
export interface PlannedWrites {
  /** Run one after the other, each seeing what those before it wrote (a rebook's replace before its insert). */
  readonly writes: readonly CompiledQuery[];
  /**
   * Run after `writes`, in no set order: each changes rows no other write of the plan changes and
   * reads nothing another writes, so PostgreSQL runs them and the version bump as one statement.
   */
  readonly independent?: readonly CompiledQuery[];
  /** Run after the writes: returns the calendar's new version, for the change; absent when no calendar changed. */
  readonly bumpVersion?: VersionBump;
}

/** Moves a calendar's change mark; the runner tells the other processes of it after the commit. */
export interface VersionBump {
  readonly calendarId: string;
  readonly query: CompiledQuery<{ version: number }>;
}

export interface Transacted<T> {
  readonly result: T;
  /** The calendar's version after the commit; absent when nothing was written or no calendar changed. */
  readonly version?: number;
}

/** How a dialect runs compiled queries; each store is built on one. */
export interface Runner {
  read<R>(query: CompiledQuery<R>): Promise<R[]>;
  /** Runs the statements as one transaction and returns the rows of each. */
  atomically<const Q extends readonly CompiledQuery[]>(queries: Q, options?: Rebuildable): Promise<RowsOf<Q>>;
  /** Runs a transaction; durable when the promise resolves, unless it is `rebuildable`. */
  transact<R extends Reads, T>(transaction: Transaction<R, T>): Promise<Transacted<T>>;
}
