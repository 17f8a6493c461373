import { STATUS_CODES } from 'node:http';
import { Type } from 'typebox';
import { Problem, PROBLEM_TYPE } from './problem.js';

/** Schemas of the business's API: they validate, serialise and document it (`/openapi.json`). */

export const CalendarsAnswer = Type.Object(
  {
    calendars: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          name: Type.String(),
          timezone: Type.String({ description: 'IANA time zone, e.g. Europe/Berlin' }),
          resources: Type.Array(
            Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Response schemas for error statuses, as `application/problem+json`. */
export function problemAnswers(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: STATUS_CODES[status] ?? 'Error', content: { [PROBLEM_TYPE]: { schema: Problem } } },
    ]),
  );
}

/** Text from a client: bounded, and without control characters (PostgreSQL refuses a NUL with an error). */
export const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[^\\u0000-\\u001f]*$', ...(description && { description }) });

export const Instant = (description: string) => Type.String({ description, maxLength: 64 });

// A Number, not an Integer: converting the query string to an integer would quietly read 1.5 as 1.
export const Limit = Type.Number({
  minimum: 1,
  maximum: 500,
  multipleOf: 1,
  default: 100,
  description: 'page size, a whole number 1-500',
});

export const Cursor = Type.String({
  maxLength: 512,
  description: '`next_cursor` of the previous page, with the same filters',
});

export const NextCursor = Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' });

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const BookingId = Type.Object({ id: Text(128) }, { additionalProperties: false });

export const Booking = Type.Object(
  {
    id: Type.String(),
    calendar: Type.String(),
    resource: Type.String(),
    start_iso: Type.String({ description: 'UTC, with milliseconds' }),
    end_iso: Type.String({ description: 'UTC, with milliseconds' }),
    timezone: Nullable(Type.String({ description: "the calendar's IANA zone; null once it is no longer configured" })),
    status: Type.Union([Type.Literal('active'), Type.Literal('cancelled'), Type.Literal('replaced')]),
    contact_id: Nullable(Type.String()),
    external_contact_id: Nullable(Type.String()),
    contact_details: Type.Record(Type.String(), Type.Unknown()),
    created_at: Type.String(),
    created_by: Type.String({ description: '`telli` or the name of the admin token' }),
    cancelled_at: Nullable(Type.String()),
    cancel_reason: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const BookingsQuery = Type.Object(
  {
    calendar: Type.Optional(Text(128)),
    resource: Type.Optional(Text(128)),
    from: Type.Optional(Instant('bookings starting at or after this instant')),
    to: Type.Optional(Instant('bookings starting before this instant')),
    status: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('cancelled'), Type.Literal('replaced'), Type.Literal('all')], {
        default: 'active',
      }),
    ),
    q: Type.Optional(
      Text(
        200,
        'case-insensitive; matches the start of the contact id, the external contact id, or a word or whole value ' +
          'of the contact details; a phone number (7 digits or more) matches however it is written ' +
          '(+49 170 1234567 = 0170 1234567 = 01701234567)',
      ),
    ),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const BookingsAnswer = Type.Object(
  { bookings: Type.Array(Booking), next_cursor: NextCursor },
  { additionalProperties: false },
);

const AuditFields = Nullable(
  Type.Object(
    {
      start_iso: Type.Optional(Type.String()),
      end_iso: Type.Optional(Type.String()),
      resource: Type.Optional(Nullable(Type.String({ description: 'for time off, null: the whole calendar' }))),
      status: Type.Optional(Type.String()),
      cancel_reason: Type.Optional(Nullable(Type.String())),
      note: Type.Optional(Nullable(Type.String({ description: "time off's note" }))),
    },
    { additionalProperties: true, description: 'the fields the change touched' },
  ),
);

export const AuditEntry = Type.Object(
  {
    at: Type.String(),
    actor: Type.String({ description: '`telli` or the name of the admin token' }),
    action: Type.String({
      description:
        'booking.created, booking.replaced, booking.cancelled, booking.moved, time_off.created or time_off.deleted',
    }),
    booking_id: Nullable(Type.String()),
    time_off_id: Nullable(Type.String()),
    before: AuditFields,
    after: AuditFields,
  },
  { additionalProperties: false },
);

export const BookingWithHistory = Type.Object(
  { ...Booking.properties, history: Type.Array(AuditEntry, { description: 'its audit entries, oldest first' }) },
  { additionalProperties: false },
);

export const AuditQuery = Type.Object(
  {
    from: Type.Optional(Instant('entries at or after this instant')),
    to: Type.Optional(Instant('entries before this instant')),
    booking: Type.Optional(Text(128)),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const AuditAnswer = Type.Object(
  { entries: Type.Array(AuditEntry), next_cursor: NextCursor },
  { additionalProperties: false },
);

export const TimeOffId = Type.Object({ id: Text(128) }, { additionalProperties: false });

export const TimeOffBody = Type.Object(
  {
    calendar: Text(128),
    resource: Type.Optional(Text(128, 'a resource of the calendar; left out: every resource')),
    start_iso: Instant('first instant of the time off, ISO 8601'),
    end_iso: Instant('end of the time off (excluded), ISO 8601; at most 366 days after start_iso'),
    note: Type.Optional(Text(500, 'for the people at the front desk; at most 500 characters')),
  },
  { additionalProperties: false },
);

export const TimeOff = Type.Object(
  {
    id: Type.String(),
    calendar: Type.String(),
    resource: Nullable(Type.String({ description: 'null: every resource of the calendar' })),
    start_iso: Type.String({ description: 'UTC, with milliseconds' }),
    end_iso: Type.String({ description: 'UTC, with milliseconds' }),
    note: Nullable(Type.String()),
    created_at: Type.String(),
    created_by: Type.String({ description: 'the name of the admin token' }),
  },
  { additionalProperties: false },
);

export const AddedTimeOff = Type.Object(
  {
    ...TimeOff.properties,
    conflicts: Type.Array(Booking, {
      description: 'active bookings within the time off, by start: still booked, to be moved or cancelled',
    }),
  },
  { additionalProperties: false },
);

export const TimeOffQuery = Type.Object(
  {
    calendar: Type.Optional(Text(128)),
    from: Type.Optional(Instant('time off ending after this instant')),
    to: Type.Optional(Instant('time off starting before this instant')),
  },
  { additionalProperties: false },
);

export const TimeOffAnswer = Type.Object({ time_off: Type.Array(TimeOff) }, { additionalProperties: false });
