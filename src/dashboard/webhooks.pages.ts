import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { hostsOf } from '../http/api.webhooks.routes.js';
import type { WebhookDelivery } from '../store/webhook-delivery.js';
import type { DashboardContext } from './dashboard-context.js';
import { deliveriesBody, deliveryTable, SHOWN } from './deliveries.views.js';
import { page } from './html.js';
import { localDateTime } from './present.js';
import { csrfToken } from './session.js';
import { STRINGS } from './strings.js';

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
    const columns = STRINGS.deliveryColumns;
    const table = (deliveries: readonly WebhookDelivery[], retry: boolean) =>
      deliveryTable({
        headers: [columns.event, columns.calendar, columns.endpoint, columns.attempts, columns.last],
        retry,
        csrf,
        rows: deliveries.map((delivery) => {
          const calendar = calendars.get(delivery.calendarId);
          const zone = calendar?.timezone ?? 'UTC';
          const last = [delivery.lastStatus ?? STRINGS.noAnswer, delivery.lastError].filter(Boolean).join(': ');
          return {
            created: localDateTime(zone, delivery.createdAt),
            cells: [
              delivery.eventType,
              calendar?.name ?? delivery.calendarId,
              hosts.get(delivery.endpoint) ?? delivery.endpoint,
              delivery.attempts,
              delivery.attempts === 0 ? STRINGS.none : last,
            ],
            retryAction: `/admin/webhooks/${encodeURIComponent(delivery.id)}/retry`,
            nextAt: localDateTime(zone, delivery.nextAt),
          };
        }),
      });
    const body = deliveriesBody({
      title: STRINGS.webhooks,
      intro: STRINGS.webhooksIntro,
      notice: request.query.done === 'retried' ? STRINGS.retried : undefined,
      failed: table(failed!.deliveries, true),
      pending: table(pending!.deliveries, false),
    });
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
