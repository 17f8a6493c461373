import type { Selectable } from 'kysely';
import type { TimeOff } from './time-off.js';
import type { TimeOffTable } from './time-off.table.js';

export type TimeOffRow = Selectable<TimeOffTable>;

export function toTimeOff(row: TimeOffRow): TimeOff {
  return {
    id: row.id,
    calendarId: row.calendar_id,
    resourceId: row.resource_id,
    start: row.start_at,
    end: row.end_at,
    note: row.note,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}
