import { sql, type RawBuilder } from 'kysely';

/**
 * A batch bound as one JSON parameter that the database unpacks with `json_each` (which SQLite and
 * PostgreSQL both read on an object, not on an array), so that every batch size is one statement
 * text: PostgreSQL prepares it once per connection, instead of one statement per size, and the
 * runner's named statements (postgres.runner.ts, 256 at most) are not used up by sizes.
 */

/** `json_each('{"12":0,"15":0}')`: the values as an object's keys, read as `key` (text). */
export function jsonKeys(values: readonly (string | number)[]): RawBuilder<unknown> {
  return sql`json_each(${JSON.stringify(Object.fromEntries(values.map((value) => [value, 0])))})`;
}

/** `json_each('{"0":{…},"1":{…}}')`: one row per record, its fields read as `value ->> 'field'` (text or null). */
export function jsonRecords(records: readonly object[]): RawBuilder<unknown> {
  return sql`json_each(${JSON.stringify(Object.fromEntries(records.map((record, index) => [index, record])))})`;
}
