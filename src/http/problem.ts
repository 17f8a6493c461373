import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';

/**
 * RFC 9457 problem details, the error answers of the business's API. `type` stays `about:blank`:
 * the status says what went wrong, `detail` says it for a person, `field` names the input at fault.
 */
export const PROBLEM_TYPE = 'application/problem+json';

export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  field: Type.Optional(Type.String({ description: 'the request field at fault, for a 400' })),
  code: Type.Optional(
    Type.String({
      description:
        'for a refused time (409): taken, closed, off_grid, too_soon, beyond_horizon, past, already_booked or booking_disabled',
    }),
  ),
  alternatives: Type.Optional(
    Type.Array(Type.String(), { description: 'for a refused time (409): the nearest free start_iso values' }),
  ),
});

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly field?: string;
  readonly code?: string;
  readonly alternatives?: readonly string[];
}

export function problem(status: number, detail: string, field?: string): ProblemBody {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, ...(field && { field }) };
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type(PROBLEM_TYPE).send(body);
}
