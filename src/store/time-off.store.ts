import type { BookingRecord } from './booking.js';
import type { Runner } from './runner.js';
import type { StoreQueries } from './store-queries.js';
import type { NewTimeOffQuery, TimeOff, TimeOffFilter, TimeOffRemoval } from './time-off.js';
import { toTimeOff } from './time-off.row.js';
import { addTimeOffTransaction, removeTimeOffTransaction } from './time-off.transaction.js';

/**
 * Time off: added and removed in one transaction with its audit entry and the calendar's change
 * mark, so availability on every process honours it at once. It is read as busy time by
 * `SourceStore.busy` and the booking snapshot.
 */
export interface TimeOffStore {
  /** Adds the time off; answers the active bookings it overlaps, by start. They stay booked. */
  addTimeOff(query: NewTimeOffQuery): Promise<{ conflicts: BookingRecord[] }>;
  /** Removes a time off; answers what was removed, undefined for an unknown id. */
  removeTimeOff(removal: TimeOffRemoval): Promise<TimeOff | undefined>;
  /** Time off overlapping the filter's range, by start. */
  timeOffs(filter: TimeOffFilter): Promise<TimeOff[]>;
}

export function timeOffStore(runner: Runner, queries: StoreQueries): TimeOffStore {
  return {
    addTimeOff: async (query) => ({ conflicts: (await runner.transact(addTimeOffTransaction(queries, query))).result }),
    removeTimeOff: async (removal) => (await runner.transact(removeTimeOffTransaction(queries, removal))).result,
    timeOffs: async (filter) => (await runner.read(queries.timeOff.list(filter))).map(toTimeOff),
  };
}
