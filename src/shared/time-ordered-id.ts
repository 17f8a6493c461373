import { randomUUID } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): the first 48 bits are `now` in epoch milliseconds, the other 74
 * are random. Rows keyed by it are inserted at the end of their indexes instead of at random
 * pages: a storm's booking then dirties a third of the pages it did with random ids, and SQLite
 * writes every dirtied page to the WAL at each commit (bench/README.md).
 */
export function timeOrderedId(now: number): string {
  const time = now.toString(16).padStart(12, '0');
  // randomUUID's version digit is at index 14; everything after it is random but the variant bits.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
