import type { WritebackAction } from './writeback.table.js';

/** A booking to write to, or remove from, a calendar elsewhere. */
export interface Writeback {
  readonly bookingId: string;
  readonly sourceId: string;
  readonly action: WritebackAction;
}

/** A write-back leased to this process, with the attempts made so far. */
export interface ClaimedWriteback extends Writeback {
  readonly attempts: number;
  /** Which queuing of the row this lease is for: done and failed touch only that one. */
  readonly generation: number;
}
