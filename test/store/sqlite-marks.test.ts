import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import { openStore } from '../../src/store/open-store.js';
import { sqliteMarks } from '../../src/store/sqlite.marks.js';
import type { Store } from '../../src/store/store.js';
import { dropTestDatabases, freshDatabase } from '../dialects.js';
import { bookDirectly } from './book-directly.js';

/**
 * Change marks on SQLite are held in memory and checked against the connection's data version:
 * a commit through another connection (another process, or another store on the file) is seen
 * at the very next read, this connection's own commits at once, and the marks are read from the
 * file again only when another connection committed.
 */
const NOW = Date.parse('2026-12-01T06:00:00Z');
const MINUTE = 60_000;

const stores: Store[] = [];
const connections: BetterSqlite3.Database[] = [];
afterEach(async () => {
  connections.splice(0).forEach((connection) => connection.close());
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(dropTestDatabases);

/**
 * The requests of one turn of the event loop share one check of the data version: another
 * connection's commit is seen from the next turn on. Two stores in one process can commit and
 * read within one turn, which two processes never do.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const open = async (url: string) => {
  const store = await openStore(url, DEFAULT_POOL);
  stores.push(store);
  return store;
};

async function book(store: Store, id: string, start: number): Promise<string> {
  return (await bookDirectly(store, { id, start, createdAt: NOW }))!.markAfter;
}

describe('change marks on sqlite', () => {
  it('should see a booking committed through another connection at the next read, and its own at once', async () => {
    const url = freshDatabase('sqlite');
    const first = await open(url);
    const second = await open(url);
    expect(await first.changeMark('cal')).toBe('0');
    expect(await second.changeMark('cal')).toBe('0');

    const bySecond = await book(second, 'b1', NOW + 60 * MINUTE);
    expect(bySecond).toBe('1');
    expect(await second.changeMark('cal')).toBe('1');
    expect(await first.changeMark('cal')).toBe('1');

    const byFirst = await book(first, 'b2', NOW + 120 * MINUTE);
    expect(byFirst).toBe('2');
    expect(await first.changeMark('cal')).toBe('2');
    expect(await second.changeMark('cal')).toBe('2');
    expect(await second.changeMark('elsewhere')).toBe('0');
  });

  it("should see the mark that another connection's busy time and cancel moved", async () => {
    const url = freshDatabase('sqlite');
    const reader = await open(url);
    const writer = await open(url);
    await book(writer, 'b1', NOW + 60 * MINUTE);
    expect(await reader.changeMark('cal')).toBe('1');

    await writer.replaceBusy({ id: 'feed', calendarId: 'cal', resourceId: 'r1' }, [
      { start: NOW + 180 * MINUTE, end: NOW + 240 * MINUTE },
    ]);
    await nextTurn();
    expect(await reader.changeMark('cal')).toBe('2');

    await writer.cancel({
      bookingId: 'b1',
      now: NOW,
      actor: 'test',
      reason: null,
      writtenTo: () => [],
    });
    await nextTurn();
    expect(await reader.changeMark('cal')).toBe('3');
  });

  it('should read the marks from the file again only after another connection committed', async () => {
    const url = freshDatabase('sqlite');
    const other = await open(url);
    await book(other, 'b1', NOW + 60 * MINUTE);

    const connection = new BetterSqlite3(url.slice('sqlite:'.length));
    connections.push(connection);
    const dataVersion = connection.prepare('pragma data_version').pluck();
    const everyMark = connection.prepare('select calendar_id, version from booking_versions');
    let reads = 0;
    const marks = sqliteMarks({
      dataVersion: () => Number(dataVersion.get()),
      everyMark: () => {
        reads++;
        return everyMark.all() as { calendar_id: string; version: number }[];
      },
    });

    expect([marks.read('cal'), marks.read('cal'), marks.read('cal')]).toEqual(['1', '1', '1']);
    expect(reads).toBe(1);

    await book(other, 'b2', NOW + 120 * MINUTE);
    await nextTurn();
    expect([marks.read('cal'), marks.read('cal')]).toEqual(['2', '2']);
    expect(reads).toBe(2);

    // A commit through this very connection leaves its data version where it was: it is known
    // only because it is noted, as the stores note every version they commit.
    connection.prepare("update booking_versions set version = version + 1 where calendar_id = 'cal'").run();
    expect(marks.read('cal')).toBe('2');
    marks.note('cal', 3);
    expect(marks.read('cal')).toBe('3');
    expect(reads).toBe(2);
  });
});
