import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import { DIALECTS, POSTGRES_URL, dropTestDatabases, freshDatabase, type Dialect } from '../dialects.js';
import { BIN, PROCESS_TEST_TIMEOUT_MS, serve, stopAll, type SlotlineProcess } from '../slotline-process.js';

vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS, hookTimeout: PROCESS_TEST_TIMEOUT_MS });

/**
 * Two real Slotline processes on one database (a PostgreSQL schema, or one SQLite file), as behind
 * a load balancer: the database alone keeps bookings single, and each process sees the other's
 * bookings at once.
 */
const CONFIG = `calendars:
  - id: shared
    timezone: UTC
    duration: 30m
    min_notice: 1h
    hours: { mon-sun: ["00:00-24:00"] }
    resources: [{ id: r1 }, { id: r2 }, { id: r3 }]
`;

interface Row {
  readonly resource_id: string;
  readonly contact_id: string;
  readonly start_at: string | number;
  readonly status: string;
}

const listed = async (slotline: SlotlineProcess): Promise<string[]> => {
  const answer = await slotline.post('/available', {});
  expect(answer.status).toBe(200);
  return (answer.body.available as { start_iso: string }[]).map((slot) => slot.start_iso);
};

/**
 * Waits until a process's list has learnt of a commit: one process's answers may be a few
 * milliseconds behind the other's commits (docs/ARCHITECTURE.md, "Change marks on PostgreSQL").
 */
const learnt = (slotline: SlotlineProcess, check: (slots: string[]) => void) =>
  vi.waitFor(async () => check(await listed(slotline)), { timeout: 10_000, interval: 10 });

describe.skipIf(!DIALECTS.includes('postgres'))('processes opening one new PostgreSQL schema', () => {
  afterAll(dropTestDatabases);

  it('should let several processes open a new schema at the same moment', async () => {
    for (let round = 0; round < 5; round++) {
      const url = freshDatabase('postgres');
      const opened = await Promise.allSettled(Array.from({ length: 4 }, () => openStore(url, DEFAULT_POOL)));
      await Promise.all(opened.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined)));
      expect(opened.map((result) => (result.status === 'rejected' ? String(result.reason) : 'opened'))).toEqual(
        Array(4).fill('opened'),
      );
    }
  });
});

describe('processes migrating one new SQLite file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'slotline-migrate-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** `slotline migrate` on the file, to its end: its exit code and what it printed. */
  const migrate = (path: string, signal: AbortSignal) =>
    new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const args = ['migrate', '--config', 'examples/slotline.yaml', '--database', `sqlite:${path}`];
      const child = spawn(process.execPath, [BIN, ...args], { signal });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  const schemaOf = (path: string) => {
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      return {
        objects: db.prepare('select type, name, sql from sqlite_master order by type, name').all(),
        migrations: db.prepare('select name from kysely_migration order by name').pluck().all(),
      };
    } finally {
      db.close();
    }
  };

  it(
    'should let two processes migrate it at the same moment: one migrates, the other then finds it done',
    async ({ signal }) => {
      const alone = join(folder, 'alone.db');
      expect((await migrate(alone, signal)).code).toBe(0);
      const expected = schemaOf(alone);
      for (let round = 0; round < 4; round++) {
        const path = join(folder, `raced-${round}.db`);
        const runs = await Promise.all([migrate(path, signal), migrate(path, signal)]);
        expect(runs.map((run) => run.code)).toEqual([0, 0]);
        expect(runs.map((run) => run.output).sort()).toEqual([
          expect.stringMatching(/^created the database schema: applied 0001-bookings, /),
          expect.stringMatching(/^database is up to date, nothing to apply/),
        ]);
        expect(schemaOf(path)).toEqual(expected);
      }
      // Nine processes, one after another in pairs: each start may take seconds on a loaded machine.
    },
    2 * PROCESS_TEST_TIMEOUT_MS,
  );
});

/** Every booking of the shared database, read directly. */
function bookingRows(dialect: Dialect, database: string): { rows(): Promise<Row[]>; close(): Promise<void> } {
  const columns = 'resource_id, contact_id, start_at, status';
  if (dialect === 'sqlite') {
    return {
      rows: async () => {
        const db = new BetterSqlite3(database.slice('sqlite:'.length), { readonly: true });
        try {
          return db.prepare(`select ${columns} from bookings`).all() as Row[];
        } finally {
          db.close();
        }
      },
      close: async () => {},
    };
  }
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  const connected = client.connect();
  const schema = new URL(database).searchParams.get('schema')!;
  return {
    rows: async () => {
      await connected;
      return (await client.query<Row>(`select ${columns} from "${schema}".bookings`)).rows;
    },
    close: async () => {
      await connected;
      await client.end();
    },
  };
}

describe.each(DIALECTS)('two Slotline processes on one %s database', (dialect) => {
  let folder: string;
  let database: string;
  let bookings: ReturnType<typeof bookingRows>;
  const rows = () => bookings.rows();
  let a: SlotlineProcess;
  let b: SlotlineProcess;
  const other = (slotline: SlotlineProcess) => (slotline === a ? b : a);

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'slotline-two-'));
    database = freshDatabase(dialect);
    bookings = bookingRows(dialect, database);
  });
  afterAll(async () => {
    await stopAll();
    await bookings.close();
    await dropTestDatabases();
    rmSync(folder, { recursive: true, force: true });
  });

  it('should start both processes on one new database', async ({ signal }) => {
    const config = join(folder, 'slotline.yaml');
    writeFileSync(config, CONFIG);
    const args = ['--config', config, '--database', database];
    // They take turns to migrate: under an advisory lock on PostgreSQL, SQLite's write lock on SQLite.
    [a, b] = await Promise.all([serve(args, { signal }), serve(args, { signal })]);
    expect(await rows()).toEqual([]);
  });

  let slot: string;
  const successes: { contact: string; via: SlotlineProcess }[] = [];

  it('should give one slot of 3 resources to exactly 3 of 50 concurrent callers through both processes', async () => {
    // Far enough from the start of the list that the real clock cannot make it too soon meanwhile.
    slot = (await listed(a))[5]!;
    expect(await listed(b)).toContain(slot);
    const callers = Array.from({ length: 50 }, (_, index) => ({
      contact: `caller-${index}`,
      via: index % 2 === 0 ? a : b,
    }));
    const answers = await Promise.all(
      callers.map(({ contact, via }) => via.post('/book', { contact_id: contact, start_iso: slot })),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    answers.forEach((answer, index) => {
      if (answer.body.status === 'success') successes.push(callers[index]!);
      else expect(answer.body).toEqual({ status: 'failed', reason: expect.stringMatching(/\S/) });
    });
    expect(successes).toHaveLength(3);

    const active = (await rows()).filter((row) => row.status === 'active');
    expect(active).toHaveLength(3);
    expect(active.every((row) => new Date(Number(row.start_at)).toISOString() === slot)).toBe(true);
    expect(new Set(active.map((row) => row.resource_id))).toEqual(new Set(['r1', 'r2', 'r3']));
    expect(active.map((row) => row.contact_id).sort()).toEqual(successes.map(({ contact }) => contact).sort());

    await learnt(a, (slots) => expect(slots).not.toContain(slot));
    await learnt(b, (slots) => expect(slots).not.toContain(slot));
  });

  it('should answer a retry through the other process with success and create nothing', async () => {
    const before = await rows();
    for (const { contact, via } of successes) {
      expect((await other(via).post('/book', { contact_id: contact, start_iso: slot })).body).toEqual({
        status: 'success',
      });
    }
    expect(await rows()).toEqual(before);
  });

  it("should free the old slot in the first process's availability when the contact rebooks through the other", async () => {
    const { contact, via } = successes[0]!;
    const elsewhere = other(via);
    expect(await listed(via)).not.toContain(slot);
    const later = (await listed(elsewhere)).find((start) => start > slot)!;
    expect((await elsewhere.post('/book', { contact_id: contact, start_iso: later })).body).toEqual({
      status: 'success',
    });
    await learnt(via, (slots) => expect(slots).toContain(slot));
    expect(await listed(elsewhere)).toContain(slot);

    const mine = (await rows()).filter((row) => row.contact_id === contact);
    expect(mine.map((row) => [new Date(Number(row.start_at)).toISOString(), row.status]).sort()).toEqual(
      [
        [slot, 'replaced'],
        [later, 'active'],
      ].sort(),
    );
    // The freed place goes to the next caller, through either process, and only once.
    const next = await Promise.all([
      via.post('/book', { contact_id: 'next-1', start_iso: slot }),
      elsewhere.post('/book', { contact_id: 'next-2', start_iso: slot }),
    ]);
    expect(next.filter((answer) => answer.body.status === 'success')).toHaveLength(1);
  });
});
