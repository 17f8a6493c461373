import type { EmailConfig } from '../config/config.types.js';
import type { MailBooking } from './mail-event.js';

/** A booking as a reminder needs it: its times, status and when it was made, as the API shows them. */
export interface RemindedBooking extends MailBooking {
  readonly status: string;
  readonly created_at: string;
}

/**
 * When the caller's reminder of a booking is due, epoch ms: `remind_before` ahead of its start.
 * None without `remind_before`, or when that moment came before the booking was made: the
 * confirmation has just told the caller.
 */
export function reminderDueAt(booking: RemindedBooking, email: EmailConfig): number | undefined {
  if (email.remindBefore === undefined) return undefined;
  const due = Date.parse(booking.start_iso) - email.remindBefore;
  return due > Date.parse(booking.created_at) ? due : undefined;
}

/**
 * Whether a reminder scheduled for `scheduledStart` (the start_iso it was due for) is still to be
 * sent for the booking as it is now: not when it was cancelled or replaced, nor when it moved (its
 * new time has its own reminder).
 */
export function reminderStillDue(scheduledStart: string, now: RemindedBooking): boolean {
  return now.status === 'active' && now.start_iso === scheduledStart;
}
