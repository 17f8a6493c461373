import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../config/config.types.js';
import type { DashboardContext } from './dashboard-context.js';
import { html, page, type Html } from './html.js';
import { csrfToken } from './session.js';
import { STRINGS } from './strings.js';

/**
 * The pages of the outbox's deliveries (webhooks, e-mail): `/admin/{path}` lists the failed ones,
 * each with a `Retry` (the API's retry), then the pending ones with their next attempt. A channel
 * gives its words, its columns and its store calls.
 */

/** As many of each status as a screen holds; the API pages through all of them. */
const SHOWN = 100;
const DeliveryParams = Type.Object({ id: Type.String({ maxLength: 200 }) });
const ListQuery = Type.Object({
  done: Type.Optional(Type.Union([Type.Literal('retried'), Type.Literal('unchanged')])),
});

export interface DeliveryRow {
  readonly id: string;
  /** When it was written, local to its calendar: the first column. */
  readonly created: string;
  /** The columns after it, under `headers`. */
  readonly cells: readonly (Html | string | number)[];
  /** When its next attempt is due, local to its calendar. */
  readonly nextAt: string;
}

export interface DeliveryChannel<D> {
  /** The page is `/admin/{path}`; a retry posts to `/admin/{path}/{id}/retry`. */
  readonly path: string;
  readonly title: string;
  readonly intro: string;
  readonly headers: readonly string[];
  /** The notices after a retry: done, or (where only a failed one is sent again) not done, since it was no longer failed. */
  readonly notices: { readonly retried: string; readonly unchanged?: string };
  list(status: 'failed' | 'pending', limit: number): Promise<readonly D[]>;
  rows(deliveries: readonly D[], config: Config): DeliveryRow[];
  /** Undefined for an unknown id. */
  retry(id: string, now: number): Promise<'retried' | 'unchanged' | undefined>;
}

export function registerDeliveryPages<D>(
  scope: FastifyInstance,
  context: DashboardContext,
  channel: DeliveryChannel<D>,
): void {
  const routes = scope.withTypeProvider<TypeBoxTypeProvider>();

  routes.get(`/${channel.path}`, { schema: { querystring: ListQuery } }, async (request, reply) => {
    const [failed, pending] = await Promise.all(
      (['failed', 'pending'] as const).map((status) => channel.list(status, SHOWN)),
    );
    const csrf = csrfToken(reply);
    const table = (deliveries: readonly D[], retry: boolean) =>
      deliveryTable(channel, channel.rows(deliveries, context.config.current), retry ? csrf : undefined);
    const { done } = request.query;
    const body = html`<h1>${channel.title}</h1>
      <p class="muted">${channel.intro}</p>
      ${done && channel.notices[done] && html`<p class="notice" role="status">${channel.notices[done]}</p>`}
      <h2>${STRINGS.failedDeliveries}</h2>
      ${table(failed!, true)}
      <h2>${STRINGS.pendingDeliveries}</h2>
      ${table(pending!, false)}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: channel.title, body, csrf }));
  });

  routes.post(
    `/${channel.path}/:id/retry`,
    { schema: { params: DeliveryParams }, preHandler: scope.csrfProtection },
    async (request, reply) => {
      const { id } = request.params;
      // The worker's clock is the real one (retries are timers), as for the API's retry.
      const done = await channel.retry(id, Date.now());
      if (!done) return reply.callNotFound();
      request.log.info({ channel: channel.path, delivery: id, done, actor: request.dashboardActor }, 'dashboard retry');
      return reply.redirect(`/admin/${channel.path}?done=${done}`, 303);
    },
  );
}

/** Failed deliveries (with the CSRF token of their `Retry` forms) end in a `Retry` button, pending ones in their next attempt. */
function deliveryTable<D>(channel: DeliveryChannel<D>, rows: readonly DeliveryRow[], csrf?: string): Html {
  if (rows.length === 0) return html`<p>${STRINGS.noDeliveries}</p>`;
  return html`<table>
    <thead>
      <tr>
        <th scope="col">${STRINGS.deliveryColumns.created}</th>
        ${channel.headers.map((header) => html`<th scope="col">${header}</th>`)}
        <th scope="col">
          ${csrf ? html`<span class="visually-hidden">${STRINGS.actionsColumn}</span>` : STRINGS.deliveryColumns.next}
        </th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr>
            <td class="nowrap">${row.created}</td>
            ${row.cells.map((cell) => html`<td>${cell}</td>`)}
            <td class="nowrap">
              ${
                csrf
                  ? html`<form method="post" action="/admin/${channel.path}/${encodeURIComponent(row.id)}/retry">
                      <input type="hidden" name="_csrf" value="${csrf}" />
                      <button type="submit">${STRINGS.retry}</button>
                    </form>`
                  : row.nextAt
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
