import { Type } from 'typebox';

/** Answers carry exactly the contract's keys; the schemas also make serialisation fast. */
export const AvailableAnswer = Type.Object(
  {
    available: Type.Array(
      Type.Object({ start_iso: Type.String(), end_iso: Type.String() }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

export const BookAnswer = Type.Object(
  {
    status: Type.Union([Type.Literal('success'), Type.Literal('failed')]),
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ErrorAnswer = Type.Object({ error: Type.String(), message: Type.String() });

export const CalendarParams = Type.Object({ calendarId: Type.String() });

/**
 * The request bodies, for the OpenAPI document only. The routes do not validate against them: the
 * contract answers a wrong `/book` body with `200 failed` and a reason, and `/available` reads none
 * of its fields.
 */
const ContactId = Type.Union([Type.String(), Type.Number()]);
const contactFields = {
  contact_id: Type.Optional(ContactId),
  external_contact_id: Type.Optional(ContactId),
  contact_details: Type.Optional(Type.Object({}, { additionalProperties: true })),
};

export const AvailableBodyDoc = Type.Object(contactFields);

export const BookBodyDoc = Type.Object({
  ...contactFields,
  start_iso: Type.String({ description: 'e.g. 2026-12-01T09:30:00.000Z; without an offset it is UTC' }),
});

/** telli's contact lookup (contract/contact-lookup.ts): who is calling, before the call connects. */
export const ContactLookupBodyDoc = Type.Object({
  event: Type.Optional(Type.Literal('contact_lookup')),
  phone_number: Type.Optional(Type.String({ description: "the caller's number in E.164, e.g. +4915112345678" })),
  to_number: Type.Optional(Type.String({ description: 'the number called' })),
});

const Name = Type.String({ minLength: 1, maxLength: 50 });

export const ContactLookupAnswer = Type.Object(
  {
    contact: Type.Object(
      {
        first_name: Name,
        last_name: Name,
        email: Type.Optional(Type.String()),
        external_id: Type.Optional(Type.String()),
        phone_number: Type.String(),
        properties: Type.Object(
          {
            next_appointment: Type.Optional(Type.String({ description: 'e.g. Tuesday 1 December at 10:00' })),
            next_appointment_iso: Type.Optional(Type.String()),
            next_appointment_calendar: Type.Optional(Type.String()),
            upcoming_appointments: Type.Integer({ minimum: 0 }),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** An unknown caller: telli goes on as without a lookup. */
export const UnknownContactAnswer = Type.Object({}, { additionalProperties: false });
