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
