import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import { openStore } from '../../src/store/open-store.js';
import { postgresRunner, statementNames } from '../../src/store/postgres.runner.js';
import type { Runner } from '../../src/store/runner.js';
import { DIALECTS, dropTestDatabases, freshDatabase, POSTGRES_URL } from '../dialects.js';

/**
 * The PostgreSQL runner sends each transaction's statements together, as named prepared
 * statements: it must still behave as if each statement had waited for the one before.
 */
const pools: pg.Pool[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  await Promise.all([...pools.splice(0).map((pool) => pool.end()), ...clients.splice(0).map((c) => c.end())]);
});
afterAll(dropTestDatabases);

const raw = <R>(text: string, values: unknown[] = []) => CompiledQuery.raw(text, values) as CompiledQuery<R>;

/** A fresh schema with a table `t`, a runner on one pipelined connection to it, and a plain client. */
async function fresh(): Promise<{ runner: Runner; client: pg.Client; commits: [string, number][] }> {
  const url = freshDatabase('postgres');
  await (await openStore(url, DEFAULT_POOL)).close();
  const schema = new URL(url).searchParams.get('schema')!;
  const options = `-c search_path="${schema}",public`;
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, options, max: 1, pipeline: true });
  const client = new pg.Client({ connectionString: POSTGRES_URL, options });
  pools.push(pool);
  clients.push(client);
  await client.connect();
  await client.query('create table t (id int primary key, note text)');
  const commits: [string, number][] = [];
  const runner = postgresRunner(pool, { committed: (calendarId, version) => commits.push([calendarId, version]) });
  return { runner, client, commits };
}

describe('statement names', () => {
  it('should name the same text alike, and name no text past the limit', () => {
    const named = statementNames(2);
    expect(named('select 1')).toBe(named('select 1'));
    expect(named('select 2')).not.toBe(named('select 1'));
    expect(named('select 3')).toBeUndefined();
    expect(named('select 2')).toBeDefined();
  });
});

describe.runIf(DIALECTS.includes('postgres'))('the PostgreSQL runner', () => {
  it('should prepare a statement once per connection and run it again by its name', async () => {
    const { runner } = await fresh();
    const query = raw<{ id: number }>('select id from t where id > $1', [0]);
    await runner.read(query);
    await runner.transact({ locks: ['a key'], reads: { rows: query }, plan: () => ({ result: undefined }) });
    const prepared = await runner.read(
      raw<{ name: string; statement: string }>('select name, statement from pg_prepared_statements'),
    );
    expect(prepared.filter((row) => row.statement === query.sql)).toEqual([
      { name: expect.stringMatching(/^slotline_\d+$/), statement: query.sql },
    ]);
  });

  it('should take the reads after the locks are held, though they are sent together', async () => {
    const { runner, client } = await fresh();
    await client.query('begin');
    await client.query(`select pg_advisory_xact_lock(hashtextextended('k', 0))`);
    const transacted = runner.transact({
      locks: ['k'],
      reads: { rows: raw<{ id: number }>('select id from t') },
      plan: (rows) => ({ result: rows.rows.map((row) => row.id) }),
    });
    // Once the runner waits for the lock, the holder writes and commits.
    await vi.waitFor(
      async () => {
        const { rows } = await client.query(
          `select count(*)::int as waiting from pg_locks where not granted and pg_backend_pid() = any(pg_blocking_pids(pid))`,
        );
        expect(rows[0].waiting).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 20 },
    );
    await client.query(`insert into t (id) values (1)`);
    await client.query('commit');
    await expect(transacted).resolves.toEqual({ result: [1] });
  });

  it("should answer a transaction's reads, joined into one statement, as a read alone answers them", async () => {
    const { runner, client } = await fresh();
    await client.query(`insert into t (id, note) values (1, 'plain'), (2, null), (3, 'quote '' and "json" \\ ü')`);
    const reads = {
      ordered: raw<{ id: number; note: string | null }>('select id, note from t where id > $1 order by id desc', [0]),
      numbers: raw<{ big: number; small: number }>('select $1::bigint as big, 3::int as small', [
        Number.MAX_SAFE_INTEGER,
      ]),
      none: raw<{ id: number }>('select id from t where id > $1', [9]),
    };
    const { result } = await runner.transact({ locks: [], reads, plan: (rows) => ({ result: rows }) });
    expect(result).toEqual({
      ordered: await runner.read(reads.ordered),
      // As the store's pool reads bigint (postgres.store.ts); this test's pool reads it as a string.
      numbers: [{ big: Number.MAX_SAFE_INTEGER, small: 3 }],
      none: [],
    });
    expect(result.ordered.map((row) => row.id)).toEqual([3, 2, 1]);
  });

  it('should run the reads of a transaction that asks for it on generic plans, and only those', async () => {
    const { runner } = await fresh();
    const mode = raw<{ mode: string }>(`select current_setting('plan_cache_mode') as mode`);
    const modeIn = (genericPlans: boolean) =>
      runner.transact({
        locks: ['a key'],
        genericPlans,
        reads: { setting: mode },
        plan: (rows) => ({ result: rows.setting[0]!.mode }),
      });
    await expect(modeIn(true)).resolves.toEqual({ result: 'force_generic_plan' });
    await expect(modeIn(false)).resolves.toEqual({ result: 'auto' });
    // The pool's one connection: the setting ended with the transaction that set it.
    expect(await runner.read(mode)).toEqual([{ mode: 'auto' }]);
  });

  it('should write nothing when a write fails, and leave its connection usable', async () => {
    const { runner, commits } = await fresh();
    const insert = (id: number) => raw(`insert into t (id) values ($1)`, [id]);
    const failing = runner.transact({
      locks: [],
      reads: {},
      plan: () => ({
        writes: {
          writes: [insert(1), insert(1), insert(2)],
          bumpVersion: { calendarId: 'cal', query: raw<{ version: number }>('select 1 as version') },
        },
        result: undefined,
      }),
    });
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    await expect(
      runner.transact({
        locks: [],
        reads: {},
        plan: () => {
          throw new Error('a decision that fails');
        },
      }),
    ).rejects.toThrow('a decision that fails');
    expect(await runner.read(raw('select id from t'))).toEqual([]);
    const done = await runner.transact({
      locks: [],
      reads: { before: raw<{ n: number }>('select count(*)::int as n from t') },
      plan: (rows) => ({
        writes: {
          writes: [insert(3)],
          bumpVersion: { calendarId: 'cal', query: raw<{ version: number }>('select 7 as version') },
        },
        result: rows.before[0]!.n,
      }),
    });
    expect(done).toEqual({ result: 0, version: 7 });
    expect(commits).toEqual([['cal', 7]]);
    expect(await runner.atomically([insert(4), raw<{ id: number }>('select id from t order by id')])).toEqual([
      [],
      [{ id: 3 }, { id: 4 }],
    ]);
  });

  it('should run independent writes with the version bump as one statement, after the ordered writes', async () => {
    const { runner } = await fresh();
    const insert = (id: number, note: string) => raw(`insert into t (id, note) values ($1, $2)`, [id, note]);
    const move = raw(`update t set note = $1 where id = $2`, ['moved', 1]);
    const bump = (version: number) => ({
      calendarId: 'cal',
      query: raw<{ version: number }>('select $1::int as version', [version]),
    });
    const transact = (version: number, ids: number[]) =>
      runner.transact({
        locks: [],
        reads: {},
        plan: () => ({
          writes: {
            writes: version === 1 ? [insert(1, 'first')] : [move],
            independent: ids.map((id) => insert(id, `note ${id}`)),
            bumpVersion: bump(version),
          },
          result: undefined,
        }),
      });

    expect(await transact(1, [2, 3])).toEqual({ result: undefined, version: 1 });
    expect(await transact(2, [4])).toEqual({ result: undefined, version: 2 });
    await expect(transact(3, [5, 2])).rejects.toMatchObject({ code: '23505' });
    expect(await runner.read(raw('select id, note from t order by id'))).toEqual([
      { id: 1, note: 'moved' },
      { id: 2, note: 'note 2' },
      { id: 3, note: 'note 3' },
      { id: 4, note: 'note 4' },
    ]);
    const joined = await runner.read(
      raw<{ statement: string }>(`select statement from pg_prepared_statements where statement like 'with %'`),
    );
    expect(joined.map((row) => row.statement).sort()).toEqual([
      'with w0 as (insert into t (id, note) values ($1, $2)) select $3::int as version',
      'with w0 as (insert into t (id, note) values ($1, $2)), w1 as (insert into t (id, note) values ($3, $4)) select $5::int as version',
    ]);
  });

  it("should tell of a bumped calendar's version after the commit, and never of a bump rolled back", async () => {
    const { runner, commits } = await fresh();
    const insert = (id: number) => raw(`insert into t (id) values ($1)`, [id]);
    const bump = (calendarId: string) => ({
      calendarId,
      query: raw<{ version: number }>(
        `insert into booking_versions (calendar_id, version) values ($1, 1)
         on conflict (calendar_id) do update set version = booking_versions.version + 1 returning version::int as version`,
        [calendarId],
      ),
    });
    const book = (id: number, calendarId: string) =>
      runner.transact({
        locks: [],
        reads: {},
        plan: () => ({ writes: { writes: [insert(id)], bumpVersion: bump(calendarId) }, result: undefined }),
      });

    expect(await book(1, 'cal')).toEqual({ result: undefined, version: 1 });
    await expect(book(1, 'cal')).rejects.toMatchObject({ code: '23505' });
    await expect(book(1, 'other')).rejects.toMatchObject({ code: '23505' });
    expect(await book(2, 'cal')).toEqual({ result: undefined, version: 2 });
    expect(commits).toEqual([
      ['cal', 1],
      ['cal', 2],
    ]);
  });

  it('should run a prepared read again after another process changed its table', async () => {
    const { runner, client } = await fresh();
    await client.query(`insert into t (id, note) values (1, 'one')`);
    const all = raw('select * from t');
    expect(await runner.read(all)).toEqual([{ id: 1, note: 'one' }]);
    await client.query('alter table t add column added int');
    expect(await runner.read(all)).toEqual([{ id: 1, note: 'one', added: null }]);
    await client.query('alter table t drop column note');
    const read = await runner.transact({ locks: [], reads: { all }, plan: (rows) => ({ result: rows.all }) });
    expect(read.result).toEqual([{ id: 1, added: null }]);
  });
});
