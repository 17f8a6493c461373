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
