import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { DIALECTS, dropTestDatabases, freshDatabase } from '../dialects.js';
import { bookDirectly } from './book-directly.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');
const HOUR = 3_600_000;

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(dropTestDatabases);

describe.each(DIALECTS)('the committed change mark on %s', (dialect) => {
  const open = async (url: string) => {
    const store = await openStore(url, DEFAULT_POOL);
    stores.push(store);
    return store;
  };

  it("should hold another process's commit as soon as it is made, of one calendar and of all", async () => {
    const url = freshDatabase(dialect);
    const reader = await open(url);
    const writer = await open(url);
    expect(await reader.committedMark('cal')).toBe('0');
    const none = await reader.committedMark();

    await bookDirectly(writer, { id: 'b1', start: NOW + HOUR, createdAt: NOW });
    const one = await reader.committedMark('cal');
    const all = await reader.committedMark();
    expect(one).toBe('1');
    expect(all).not.toBe(none);

    await bookDirectly(writer, { id: 'b2', calendarId: 'other', start: NOW + HOUR, createdAt: NOW });
    expect(await reader.committedMark('cal')).toBe(one);
    expect(await reader.committedMark()).not.toBe(all);
    expect(await writer.committedMark()).toBe(await reader.committedMark());
  });
});
