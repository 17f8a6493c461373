import { Type, type TSchema } from 'typebox';
import type { LiveConfig } from '../config/live-config.js';
import type { DeliveryCursor, DeliveryFilter, DeliveryPage } from '../store/delivery-page.js';
import { cursorCodecOf } from './api-cursor.js';
import { Cursor, Limit, NextCursor } from './api.schemas.js';
import { problem, type ProblemBody } from './problem.js';

/**
 * What the outbox's delivery lists share (`GET /webhooks/deliveries`, `GET /email/deliveries`):
 * the query (a status, a page size, a cursor), the answer, and the cursor bound to the status.
 */

export const deliveriesQuery = <S extends TSchema>(status: S) =>
  Type.Object(
    { status: Type.Optional(status), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
    { additionalProperties: false },
  );

export const deliveriesAnswer = <D extends TSchema>(delivery: D) =>
  Type.Object({ deliveries: Type.Array(delivery), next_cursor: NextCursor }, { additionalProperties: false });

interface DeliveriesQuery<S extends string> {
  readonly status?: S;
  readonly limit?: number;
  readonly cursor?: string;
}

/** The page the query asks for, presented; a problem (400) for a cursor not made for this query. */
export async function deliveriesPage<S extends string, D extends DeliveryCursor, P>(
  config: LiveConfig,
  { status, cursor, limit }: DeliveriesQuery<S>,
  read: (filter: DeliveryFilter<S>) => Promise<DeliveryPage<D>>,
  present: (delivery: D) => P,
): Promise<{ deliveries: P[]; next_cursor: string | null } | ProblemBody> {
  const filters = { status };
  let after: DeliveryCursor | undefined;
  if (cursor !== undefined) {
    const position = cursorCodecOf(config.current).open(cursor, filters);
    const [createdAt, id] = position ?? [];
    if (position?.length !== 2 || !Number.isSafeInteger(createdAt) || typeof id !== 'string') {
      return problem(400, 'Not a cursor of this query; start again without one.', 'cursor');
    }
    after = { createdAt: createdAt as number, id };
  }
  const page = await read({ status, after, limit: limit ?? 100 });
  return {
    deliveries: page.deliveries.map(present),
    next_cursor: page.next ? cursorCodecOf(config.current).seal([page.next.createdAt, page.next.id], filters) : null,
  };
}

export const isProblem = (answer: object): answer is ProblemBody => 'detail' in answer;
