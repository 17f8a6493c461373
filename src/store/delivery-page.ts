import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';

/**
 * The lists of the outbox's deliveries (webhooks, e-mail), for the business's API and the
 * dashboard: newest first, by status, paged by keyset on (created_at, id). Each table has an
 * `id`, a `status` and a `created_at`; the queries here name only those.
 */

/** Where a page ended: its last delivery's (created_at, id). */
export interface DeliveryCursor {
  readonly createdAt: number;
  readonly id: string;
}

/** Which deliveries to list, newest first: by status, after the cursor, at most `limit`. */
export interface DeliveryFilter<S extends string> {
  readonly status?: S;
  readonly after?: DeliveryCursor;
  readonly limit: number;
}

export interface DeliveryPage<D> {
  readonly deliveries: D[];
  readonly next?: DeliveryCursor;
}

/** Narrows a `selectFrom(<deliveries table>)` to one page: one row more than the limit, to tell whether another follows. */
export function newestFirst<S extends string>({ status, after, limit }: DeliveryFilter<S>) {
  return <DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>) =>
    query
      .$if(status !== undefined, (page) => page.where(sql<SqlBool>`status = ${status}`))
      .$if(after !== undefined, (page) =>
        page.where(
          sql<SqlBool>`(created_at < ${after!.createdAt} or (created_at = ${after!.createdAt} and id < ${after!.id}))`,
        ),
      )
      .orderBy(sql`created_at`, 'desc')
      .orderBy(sql`id`, 'desc')
      .limit(limit + 1);
}

/** The page of rows read by a `newestFirst` query, and where the next one starts, if one does. */
export function pageOf<R, D extends DeliveryCursor>(
  rows: readonly R[],
  limit: number,
  toDelivery: (row: R) => D,
): DeliveryPage<D> {
  const deliveries = rows.slice(0, limit).map(toDelivery);
  const last = deliveries.at(-1);
  return rows.length > limit && last
    ? { deliveries, next: { createdAt: last.createdAt, id: last.id } }
    : { deliveries };
}
