import { describe, expect, it } from 'vitest';
import type { EmailConfig } from '../../src/config/config.types.js';
import { reminderDueAt, reminderStillDue, type RemindedBooking } from '../../src/notify/reminder.js';

const HOUR = 3_600_000;
const EMAIL: EmailConfig = {
  smtpUrl: 'smtp://127.0.0.1:25',
  from: { address: 'termine@example.com' },
  toContact: true,
  toResource: true,
  remindBefore: 24 * HOUR,
  retrySchedule: [],
};
const START = '2026-12-03T09:00:00.000Z';
const MADE = Date.parse('2026-11-30T08:00:00.000Z');
const booking = (patch: Partial<RemindedBooking> = {}): RemindedBooking => ({
  start_iso: START,
  status: 'active',
  ...patch,
});

describe('reminderDueAt', () => {
  it('should be remind_before ahead of the start', () => {
    expect(reminderDueAt(START, MADE, EMAIL)).toBe(Date.parse(START) - 24 * HOUR);
  });

  it('should be none without remind_before', () => {
    expect(reminderDueAt(START, MADE, { ...EMAIL, remindBefore: undefined })).toBeUndefined();
  });

  it('should be none for a booking made or moved after its reminder would have been due', () => {
    expect(reminderDueAt(START, Date.parse('2026-12-02T10:00:00.000Z'), EMAIL)).toBeUndefined();
  });
});

describe('reminderStillDue', () => {
  it('should hold for the active booking at the time it was scheduled for', () => {
    expect(reminderStillDue(START, booking())).toBe(true);
  });

  it('should not hold once the booking was cancelled, replaced or moved', () => {
    expect(reminderStillDue(START, booking({ status: 'cancelled' }))).toBe(false);
    expect(reminderStillDue(START, booking({ status: 'replaced' }))).toBe(false);
    expect(reminderStillDue(START, booking({ start_iso: '2026-12-04T09:00:00.000Z' }))).toBe(false);
  });
});
