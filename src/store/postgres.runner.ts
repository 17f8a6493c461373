import type { CompiledQuery } from 'kysely';
import type pg from 'pg';
import { StoreUnavailableError } from './store-unavailable.error.js';
import type { Reads, RowsByName, RowsOf, Runner, Transacted, Transaction } from './runner.js';

/** Conflicts that a fresh attempt resolves: the overlap guard, serialisation failures, deadlocks. */
const RETRYABLE = new Set(['23P01', '40001', '40P01']);
/**
 * A prepared statement whose table changed shape under it (another process migrated): the
 * connection is dropped, with its prepared statements, and the transaction tried again.
 */
const stalePlan = (error: unknown) =>
  sqlState(error) === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));
const ATTEMPTS = 10;
/**
 * Statements prepared by name, at most: each connection keeps the plans of those it ran. The
 * shapes a booking, a move, a cancel and the outbox send are a few dozen; a text beyond the
 * limit (a search with many terms, say) runs unnamed, parsed and planned for its one use.
 */
const NAMED_STATEMENTS = 256;

// Named as every other statement of a transaction, so that the server parses them once per connection.
const BEGIN: pg.QueryConfig = { name: 'slotline_begin', text: 'begin' };
const COMMIT: pg.QueryConfig = { name: 'slotline_commit', text: 'commit' };

/**
 * How the PostgreSQL store runs its compiled queries, straight on pg rather than through Kysely's
 * executor, for two things a booking is made of:
 *
 * - **Named prepared statements**: each query's text gets a name (the same for the same text in
 *   this process), so each connection parses it once and PostgreSQL may keep its plan, instead of
 *   parsing and planning every statement of every booking again.
 * - **Pipelining** (the pool's connections are pipelined): the statements of one step are sent
 *   together and answered in order, so a transaction costs two round trips whatever its size
 *   (`begin`, its locks and its reads joined into one statement (`readsJoiner`); then, after the
 *   plan ran here, its writes, the version bump with the independent writes joined to it
 *   (`writesJoiner`) and `commit`), plus one for each re-plan under new locks. The server runs them one
 *   after the other, so the reads are taken after the locks are held, exactly as if each had
 *   waited for the one before; a statement that fails fails those after it in the transaction,
 *   and its `commit` rolls back.
 *
 * A `commit` after a version bump is told to `hooks.committed` with the calendar and its new
 * version, which the store announces to the other processes (postgres.marks.ts); a bump rolled
 * back is told nothing.
 */
export function postgresRunner(pool: pg.Pool, hooks: RunnerHooks): Runner {
  const named = statementNames(NAMED_STATEMENTS);
  const withWrites = writesJoiner(NAMED_STATEMENTS);
  const joinReads = readsJoiner(NAMED_STATEMENTS);
  const statement = (query: CompiledQuery): pg.QueryConfig => ({
    name: named(query.sql),
    text: query.sql,
    values: query.parameters as unknown[],
  });

  /** Runs `step` on one connection; whatever it leaves open is rolled back, a broken connection dropped. */
  const onConnection = async <T>(step: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await step(client);
    } catch (error) {
      if (stalePlan(error)) broken = error as Error;
      else if (client.getTransactionStatus() !== 'I') {
        await client.query('rollback').catch((rollbackFailed: Error) => {
          broken = rollbackFailed;
        });
      }
      throw error;
    } finally {
      client.release(broken);
    }
  };

  /** One transaction's attempt: locks and reads, plans (again under new locks), writes and commits. */
  const attempt = async <R extends Reads, T>(
    client: pg.PoolClient,
    run: Transaction<R, T>,
  ): Promise<Transacted<T> & { calendarId?: string }> => {
    const reads = joinReads(run.reads);
    /** Runs `before`, then the reads; answers each read's rows by its name. */
    const readAfter = async (before: pg.QueryConfig[]): Promise<Record<string, unknown[]>> => {
      const answers = await pipelined(client, reads ? [...before, statement(reads.query)] : before);
      return reads ? reads.byName(answers.at(-1)!) : {};
    };
    let read = await readAfter([BEGIN, ...locks(run.locks, run.sharedLocks, run.genericPlans)]);
    const held = new Set(run.locks);
    for (;;) {
      const planned = run.plan(read as RowsByName<R>);
      const needed = [...new Set(run.locksFor?.(planned.result))].filter((key) => !held.has(key)).sort();
      if (needed.length > 0) {
        needed.forEach((key) => held.add(key));
        read = await readAfter(locks(needed));
        continue;
      }
      const { writes, result } = planned;
      const versionBump = writes?.bumpVersion;
      const independent = writes?.independent ?? [];
      const last = versionBump ? [statement(withWrites(independent, versionBump.query))] : independent.map(statement);
      const answers = await pipelined(client, [...(writes?.writes ?? []).map(statement), ...last, COMMIT]);
      if (!versionBump) return { result };
      const [bumped] = answers.at(-2) as { version: number }[];
      return { result, version: bumped!.version, calendarId: versionBump.calendarId };
    }
  };

  return {
    read: async <R>(query: CompiledQuery<R>) => {
      // pg drops a connection whose query failed, so a stale plan is gone for the second try.
      const once = async () => (await pool.query(statement(query))).rows as R[];
      return once().catch((error: unknown) => {
        if (stalePlan(error)) return once();
        throw error;
      });
    },
    atomically: <const Q extends readonly CompiledQuery[]>(batch: Q) =>
      onConnection(async (client) => {
        const answers = await pipelined(client, [BEGIN, ...batch.map(statement), COMMIT]);
        return answers.slice(1, -1) as RowsOf<Q>;
      }),
    transact: async <R extends Reads, T>(run: Transaction<R, T>) => {
      for (let tries = 1; ; tries++) {
        try {
          const { calendarId, ...done } = await onConnection((client) => attempt(client, run));
          if (calendarId !== undefined) hooks.committed(calendarId, done.version!);
          return done;
        } catch (error) {
          if (!RETRYABLE.has(sqlState(error) ?? '') && !stalePlan(error)) throw error;
          if (tries === ATTEMPTS) {
            throw new StoreUnavailableError(`transaction still conflicted after ${ATTEMPTS} attempts`, {
              cause: error,
            });
          }
        }
      }
    },
  };
}

export interface RunnerHooks {
  /** Told of every commit that bumped a calendar's version, with the version it committed. */
  committed(calendarId: string, version: number): void;
}

/**
 * Sends the statements at once and waits for every answer, in order; throws the first failure
 * (those after it in a transaction fail only because it did).
 */
async function pipelined(client: pg.PoolClient, statements: readonly pg.QueryConfig[]): Promise<unknown[][]> {
  // pg writes each statement as it is queued: corked, the whole step goes out in one write, and
  // the server wakes once for it.
  const { stream } = client.connection;
  stream.cork();
  let sent: Promise<pg.QueryResult>[];
  try {
    sent = statements.map((config) => client.query(config));
  } finally {
    stream.uncork();
  }
  const answers = await Promise.allSettled(sent);
  const failed = answers.find((answer) => answer.status === 'rejected');
  if (failed) throw failed.reason;
  return answers.map((answer) => (answer as PromiseFulfilledResult<pg.QueryResult>).value.rows as unknown[]);
}

/**
 * Joins statements into one: `join` gets their texts with each one's placeholders (`$1`…, never
 * inside a literal: every value is a parameter) numbered on after those before it, and the
 * parameters follow in the same order. The joined text is kept per combination of texts (at most
 * `limit`), so a booking's statements are renumbered once, not on every call.
 */
function joiner(limit: number, join: (texts: string[]) => string) {
  const joined = new Map<string, string>();
  /** The joined text of `queries`, kept by their texts (no SQL text holds a NUL). */
  const textOf = (queries: readonly CompiledQuery[]) => {
    const key = queries.map((query) => query.sql).join('\0');
    let text = joined.get(key);
    if (text === undefined) {
      let offset = 0;
      text = join(
        queries.map((query) => {
          const numbered = query.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
          offset += query.parameters.length;
          return numbered;
        }),
      );
      if (joined.size < limit) joined.set(key, text);
    }
    return text;
  };
  return (queries: readonly CompiledQuery[]) => {
    // A loop, not flatMap: flatMap was a percent of a booking's CPU in the storm's profile.
    const parameters: unknown[] = [];
    for (const query of queries) parameters.push(...query.parameters);
    return { sql: textOf(queries), parameters };
  };
}

/**
 * Joins `writes` to `main` as its data-modifying CTEs (`with w0 as (insert …), w1 as (…) main`):
 * one statement, so one Bind, Execute and answer (one `send` by the server, one wake-up here)
 * instead of one per write. They all see the statement's one snapshot and run in no set order,
 * which is why only writes independent of each other are joined (`PlannedWrites`).
 */
function writesJoiner(limit: number) {
  const join = joiner(limit, (texts) => {
    const main = texts.pop()!;
    return `with ${texts.map((text, index) => `w${index} as (${text})`).join(', ')} ${main}`;
  });
  return <R>(writes: readonly CompiledQuery[], main: CompiledQuery<R>): CompiledQuery<R> =>
    writes.length === 0 ? main : { ...main, ...join([...writes, main]) };
}

/**
 * Joins a transaction's reads into one statement of one row, each read's rows a JSON array in a
 * column of its own (`select (select coalesce(json_agg(r), '[]') from (read) r) as r0, …`), for
 * the same reason as the writes: one Bind, Execute and answer instead of one per read. They read
 * one snapshot, taken after the locks are held. An aggregate over a subquery with no join or
 * grouping around it takes the rows in the subquery's order, so a read's `order by` holds. JSON carries the store's column types (text,
 * bigint, integer) as this pool parses them, bigint as a number.
 */
function readsJoiner(limit: number) {
  const join = joiner(
    limit,
    (texts) =>
      `select ${texts.map((text, index) => `(select coalesce(json_agg(r), '[]') from (${text}) r) as r${index}`).join(', ')}`,
  );
  /** The joined statement of `reads` (none when there are none), and the rows of each by its name. */
  return (reads: Reads) => {
    const names = Object.keys(reads);
    const queries = Object.values(reads);
    if (queries.length === 0) return undefined;
    return {
      query: { ...queries[0]!, ...join(queries) },
      byName: ([row]: unknown[]) =>
        Object.fromEntries(names.map((name, index) => [name, (row as Record<string, unknown[]>)[`r${index}`]!])),
    };
  };
}

/**
 * Transaction-scoped advisory locks on text keys, exclusive ones first, in one statement:
 * decisions on one key wait for each other, and a shared key lets its holders run together.
 * `genericPlans` sets `plan_cache_mode` for the rest of the transaction in the same statement
 * (`set_config(..., true)` is local to the transaction), so it costs no statement of its own.
 */
function locks(keys: readonly string[], shared: readonly string[] = [], genericPlans = false): pg.QueryConfig[] {
  if (keys.length + shared.length === 0 && !genericPlans) return [];
  const name = `slotline_locks_${keys.length}_${shared.length}${genericPlans ? '_generic' : ''}`;
  let text = lockTexts.get(name);
  if (text === undefined) {
    const calls = [
      ...(genericPlans ? [`set_config('plan_cache_mode', 'force_generic_plan', true)`] : []),
      ...keys.map((_, index) => `pg_advisory_xact_lock(hashtextextended($${index + 1}, 0))`),
      ...shared.map((_, index) => `pg_advisory_xact_lock_shared(hashtextextended($${keys.length + index + 1}, 0))`),
    ];
    text = `select ${calls.join(', ')}`;
    lockTexts.set(name, text);
  }
  return [{ name, text, values: [...keys, ...shared] }];
}

/** The locks' statement texts by name, made once: a few, one per count of keys. */
const lockTexts = new Map<string, string>();

/**
 * A name per statement text, the same for the same text, for the first `limit` texts; later
 * texts get none (pg then sends them unnamed). Names are `slotline_<n>`, so they never meet the
 * names of the locks, `begin` and `commit`.
 */
export function statementNames(limit: number): (text: string) => string | undefined {
  const names = new Map<string, string>();
  return (text) => {
    let name = names.get(text);
    if (name === undefined && names.size < limit) {
      name = `slotline_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
}

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
