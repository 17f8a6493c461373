import { Kysely, type Dialect } from 'kysely';
import type { Database } from './database.js';
import type { TimeOff, TimeOffFilter } from './time-off.js';

/** Queries of the time off the business enters. Availability reads it with busy time (source.queries.ts). */
export function timeOffQueries(dialect: Dialect) {
  const db = new Kysely<Database>({ dialect });
  return {
    insert: (timeOff: TimeOff) =>
      db
        .insertInto('time_off')
        .values({
          id: timeOff.id,
          calendar_id: timeOff.calendarId,
          resource_id: timeOff.resourceId,
          start_at: timeOff.start,
          end_at: timeOff.end,
          note: timeOff.note,
          created_at: timeOff.createdAt,
          created_by: timeOff.createdBy,
        })
        .compile(),

    delete: (id: string) => db.deleteFrom('time_off').where('id', '=', id).compile(),

    byId: (id: string) => db.selectFrom('time_off').selectAll().where('id', '=', id).compile(),

    list: (filter: TimeOffFilter) =>
      db
        .selectFrom('time_off')
        .selectAll()
        .$if(filter.calendarId !== undefined, (query) => query.where('calendar_id', '=', filter.calendarId!))
        .$if(filter.from !== undefined, (query) => query.where('end_at', '>', filter.from!))
        .$if(filter.to !== undefined, (query) => query.where('start_at', '<', filter.to!))
        .orderBy('start_at')
        .orderBy('id')
        .compile(),
  };
}

export type TimeOffQueries = ReturnType<typeof timeOffQueries>;
