import type { EmailConfig } from '../config/config.types.js';

/** A booking as a reminder needs it: its start and status, as the API shows them. */
export interface RemindedBooking {
  readonly start_iso: string;
  readonly status: string;
}

/**
 * When the caller's reminder of a booking starting at `startIso` is due, epoch ms: `remind_before`
 * ahead of the start. None without `remind_before`, or when that moment came before the change
 * (the booking, or its move) at `changedAt`: the confirmation has just told the caller.
 */
export function reminderDueAt(startIso: string, changedAt: number, email: EmailConfig): number | undefined {
  if (email.remindBefore === undefined) return undefined;
  const due = Date.parse(startIso) - email.remindBefore;
  return due > changedAt ? due : undefined;
}

/**
 * Whether a reminder scheduled for `scheduledStart` (the start_iso it was due for) is still to be
 * sent for the booking as it is now: not when it was cancelled or replaced, nor when it moved (its
 * new time has its own reminder).
 */
export function reminderStillDue(scheduledStart: string, now: RemindedBooking): boolean {
  return now.status === 'active' && now.start_iso === scheduledStart;
}
