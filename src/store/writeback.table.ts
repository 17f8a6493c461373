import type { Generated } from 'kysely';

export type WritebackAction = 'put' | 'delete';

export interface WritebackTable {
  booking_id: string;
  source_id: string;
  action: WritebackAction;
  attempts: Generated<number>;
  /** Moves up each time the row is queued again; a worker finishes only the generation it leased. */
  generation: Generated<number>;
  /** When the next attempt is due; also a short lease while one process works on it. */
  next_at: number;
  done_at: number | null;
  error: string | null;
}
