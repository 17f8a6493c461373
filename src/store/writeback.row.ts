import type { Selectable } from 'kysely';
import type { ClaimedWriteback } from './writeback.js';
import type { WritebackTable } from './writeback.table.js';

export function toClaimedWriteback(
  row: Pick<Selectable<WritebackTable>, 'booking_id' | 'source_id' | 'action' | 'attempts' | 'generation'>,
): ClaimedWriteback {
  return {
    bookingId: row.booking_id,
    sourceId: row.source_id,
    action: row.action,
    attempts: row.attempts,
    generation: row.generation,
  };
}
