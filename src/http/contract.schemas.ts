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
