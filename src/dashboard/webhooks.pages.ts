import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { hostsOf } from '../http/api.webhooks.routes.js';
import type { WebhookDelivery } from '../store/webhook-delivery.js';
import type { DashboardContext } from './dashboard-context.js';
import { html, page, type Html } from './html.js';
import { localDateTime } from './present.js';
import { csrfToken } from './session.js';
import { STRINGS } from './strings.js';

/** As many of each status as a screen holds; the API pages through all of them. */
const SHOWN = 100;
const DeliveryParams = Type.Object({ id: Type.String({ maxLength: 200 }) });
const ListQuery = Type.Object({ done: Type.Optional(Type.Literal('retried')) });

/** `/admin/webhooks`: failed and pending deliveries, a `Retry` for each failed one (the API's retry). */
export function registerWebhookPages(scope: FastifyInstance, context: DashboardContext): void {
  const routes = scope.withTypeProvider<TypeBoxTypeProvider>();

  routes.get('/webhooks', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const [failed, pending] = await Promise.all(
      (['failed', 'pending'] as const).map((status) => context.store.webhookDeliveries({ status, limit: SHOWN })),
    );
    const csrf = csrfToken(reply);
    const config = context.config.current;
    const hosts = hostsOf(config);
    const calendars = new Map(config.calendars.map((calendar) => [calendar.id, calendar]));
    const table = (deliveries: readonly WebhookDelivery[], retry: boolean): Html => {
      if (deliveries.length === 0) return html`<p>${STRINGS.noDeliveries}</p>`;
      const columns = STRINGS.deliveryColumns;
      return html`<table>
        <thead>
          <tr>
            <th scope="col">${columns.created}</th>
            <th scope="col">${columns.event}</th>
            <th scope="col">${columns.calendar}</th>
            <th scope="col">${columns.endpoint}</th>
            <th scope="col">${columns.attempts}</th>
            <th scope="col">${columns.last}</th>
            <th scope="col">
              ${retry ? html`<span class="visually-hidden">${STRINGS.actionsColumn}</span>` : columns.next}
            </th>
          </tr>
        </thead>
        <tbody>
          ${deliveries.map((delivery) => {
            const calendar = calendars.get(delivery.calendarId);
            const zone = calendar?.timezone ?? 'UTC';
            const last = [delivery.lastStatus ?? STRINGS.noAnswer, delivery.lastError].filter(Boolean).join(': ');
            return html`<tr>
              <td class="nowrap">${localDateTime(zone, delivery.createdAt)}</td>
              <td>${delivery.eventType}</td>
              <td>${calendar?.name ?? delivery.calendarId}</td>
              <td>${hosts.get(delivery.endpoint) ?? delivery.endpoint}</td>
              <td>${delivery.attempts}</td>
              <td>${delivery.attempts === 0 ? STRINGS.none : last}</td>
              <td>
                ${
                  retry
                    ? html`<form method="post" action="/admin/webhooks/${encodeURIComponent(delivery.id)}/retry">
                        <input type="hidden" name="_csrf" value="${csrf}" />
                        <button type="submit">${STRINGS.retry}</button>
                      </form>`
                    : localDateTime(zone, delivery.nextAt)
                }
              </td>
            </tr>`;
          })}
        </tbody>
      </table>`;
    };
    const body = html`<h1>${STRINGS.webhooks}</h1>
      <p class="muted">${STRINGS.webhooksIntro}</p>
      ${request.query.done === 'retried' && html`<p class="notice" role="status">${STRINGS.retried}</p>`}
      <h2>${STRINGS.failedDeliveries}</h2>
      ${table(failed!.deliveries, true)}
      <h2>${STRINGS.pendingDeliveries}</h2>
      ${table(pending!.deliveries, false)}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: STRINGS.webhooks, body, csrf }));
  });

  routes.post(
    '/webhooks/:id/retry',
    { schema: { params: DeliveryParams }, preHandler: scope.csrfProtection },
    async (request, reply) => {
      // The worker's clock is the real one (retries are timers), as for the API's retry.
      const delivery = await context.store.rearmWebhookDelivery(request.params.id, Date.now());
      if (!delivery) return reply.callNotFound();
      request.log.info({ delivery: delivery.id, actor: request.dashboardActor }, 'dashboard webhook retry');
      return reply.redirect('/admin/webhooks?done=retried', 303);
    },
  );
}
