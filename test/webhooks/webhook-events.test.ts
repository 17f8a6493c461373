import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/store/audit.js';
import type { BookingRecord } from '../../src/store/booking.js';
import { webhookBody } from '../../src/webhooks/webhook-events.js';

/**
 * Event bodies from audit entries of the shapes every change path writes (shared design), also
 * for the changes other branches build (moves, time off): the booking row is as it is now, and
 * the entry's fields say what this change made of it.
 */
const AT = Date.parse('2026-12-01T06:00:00Z');
const NINE = Date.parse('2026-12-02T09:00:00Z');
const TEN = Date.parse('2026-12-02T10:00:00Z');

const booking: BookingRecord = {
  id: 'b1',
  calendarId: 'physio',
  resourceId: 'lena',
  start: TEN,
  end: TEN + 1_800_000,
  blockedStart: TEN,
  blockedEnd: TEN + 1_800_000,
  contactKey: 'contact_id:ada',
  contactId: 'ada',
  externalContactId: null,
  contactDetails: { name: 'Ada' },
  status: 'cancelled',
  createdAt: AT - 1,
  cancelledAt: AT + 1,
  createdBy: 'telli',
  cancelReason: 'sick',
};

const entry = (fields: Partial<AuditEntry>): AuditEntry => ({
  seq: 1,
  at: AT,
  actor: 'front-desk',
  action: 'booking.created',
  calendarId: 'physio',
  bookingId: 'b1',
  timeOffId: null,
  before: null,
  after: null,
  ...fields,
});

describe('webhookBody', () => {
  it('should tell booking.created as the booking was made, though it was moved and cancelled since', () => {
    const body = webhookBody(
      {
        entry: entry({
          after: {
            start_iso: new Date(NINE).toISOString(),
            end_iso: '2026-12-02T09:30:00.000Z',
            resource: 'lena',
            status: 'active',
          },
        }),
        booking,
      },
      'Europe/Berlin',
    );
    expect(body).toEqual({
      type: 'booking.created',
      timestamp: '2026-12-01T06:00:00.000Z',
      data: expect.objectContaining({
        id: 'b1',
        start_iso: '2026-12-02T09:00:00.000Z',
        status: 'active',
        cancelled_at: null,
        cancel_reason: null,
        timezone: 'Europe/Berlin',
        contact_details: { name: 'Ada' },
      }),
    });
  });

  it('should carry the previous times of booking.moved', () => {
    const body = webhookBody(
      {
        entry: entry({
          action: 'booking.moved',
          before: { start_iso: '2026-12-02T09:00:00.000Z', end_iso: '2026-12-02T09:30:00.000Z', resource: 'max' },
          after: { start_iso: '2026-12-02T10:00:00.000Z', end_iso: '2026-12-02T10:30:00.000Z', resource: 'lena' },
        }),
        booking: { ...booking, status: 'active', cancelledAt: null, cancelReason: null },
      },
      'Europe/Berlin',
    );
    expect(body?.data).toMatchObject({ start_iso: '2026-12-02T10:00:00.000Z', resource: 'lena', status: 'active' });
    expect(body?.previous).toMatchObject({ start_iso: '2026-12-02T09:00:00.000Z', resource: 'max', status: 'active' });
  });

  it('should tell time off from its entry, created and deleted', () => {
    const fields = {
      start_iso: '2026-12-24T00:00:00.000Z',
      end_iso: '2026-12-27T00:00:00.000Z',
      resource: null,
      note: 'Holidays',
    };
    const data = {
      id: 't1',
      calendar: 'physio',
      resource: null,
      start_iso: fields.start_iso,
      end_iso: fields.end_iso,
      timezone: 'Europe/Berlin',
      note: 'Holidays',
    };
    const timeOff = { bookingId: null, timeOffId: 't1' };
    expect(
      webhookBody(
        { entry: entry({ ...timeOff, action: 'time_off.created', after: fields as never }) },
        'Europe/Berlin',
      ),
    ).toEqual({ type: 'time_off.created', timestamp: '2026-12-01T06:00:00.000Z', data });
    expect(
      webhookBody(
        { entry: entry({ ...timeOff, action: 'time_off.deleted', before: fields as never }) },
        'Europe/Berlin',
      ),
    ).toEqual({ type: 'time_off.deleted', timestamp: '2026-12-01T06:00:00.000Z', data });
  });

  it('should send nothing for a booking entry whose booking is unknown', () => {
    expect(webhookBody({ entry: entry({ after: { status: 'active' } }) }, 'UTC')).toBeUndefined();
  });
});
