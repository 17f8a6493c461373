import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { EmailDelivery } from '../store/email-delivery.js';
import type { DashboardContext } from './dashboard-context.js';
import { deliveriesBody, deliveryTable, SHOWN } from './deliveries.views.js';
import { html, page } from './html.js';
import { bookingPath, localDateTime } from './present.js';
import { csrfToken } from './session.js';
import { STRINGS } from './strings.js';

const DeliveryParams = Type.Object({ id: Type.String({ maxLength: 200 }) });
const ListQuery = Type.Object({
  done: Type.Optional(Type.Union([Type.Literal('retried'), Type.Literal('unchanged')])),
});

/**
 * `/admin/email`: failed and pending mails, a `Retry` for each failed one (the API's retry). No
 * address is shown: the booking, one click away, has the caller's.
 */
export function registerEmailPages(scope: FastifyInstance, context: DashboardContext): void {
  const routes = scope.withTypeProvider<TypeBoxTypeProvider>();

  routes.get('/email', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const [failed, pending] = await Promise.all(
      (['failed', 'pending'] as const).map((status) => context.store.emailDeliveries({ status, limit: SHOWN })),
    );
    const csrf = csrfToken(reply);
    const zones = new Map(context.config.current.calendars.map((calendar) => [calendar.id, calendar.timezone]));
    const columns = STRINGS.mailColumns;
    const table = (deliveries: readonly EmailDelivery[], retry: boolean) =>
      deliveryTable({
        headers: [columns.kind, columns.recipient, columns.booking, columns.attempts, columns.error],
        retry,
        csrf,
        rows: deliveries.map((delivery) => {
          const zone = zones.get(delivery.calendarId) ?? 'UTC';
          return {
            created: localDateTime(zone, delivery.createdAt),
            cells: [
              delivery.kind,
              STRINGS.recipientRoles[delivery.mail.role],
              html`<a href="${bookingPath(delivery.bookingId)}">${delivery.bookingId}</a>`,
              delivery.attempts,
              delivery.lastError ?? STRINGS.none,
            ],
            retryAction: `/admin/email/${encodeURIComponent(delivery.id)}/retry`,
            nextAt: localDateTime(zone, delivery.dueAt),
          };
        }),
      });
    const notices = { retried: STRINGS.mailRetried, unchanged: STRINGS.mailNotFailed };
    const body = deliveriesBody({
      title: STRINGS.email,
      intro: STRINGS.emailIntro,
      notice: request.query.done && notices[request.query.done],
      failed: table(failed!.deliveries, true),
      pending: table(pending!.deliveries, false),
    });
    return reply.type('text/html; charset=utf-8').send(page({ title: STRINGS.email, body, csrf }));
  });

  routes.post(
    '/email/:id/retry',
    { schema: { params: DeliveryParams }, preHandler: scope.csrfProtection },
    async (request, reply) => {
      // The worker's clock is the real one (retries are timers), as for the API's retry.
      const retry = await context.store.retryEmailDelivery(request.params.id, Date.now());
      if (!retry) return reply.callNotFound();
      if (!retry.retried) return reply.redirect('/admin/email?done=unchanged', 303);
      request.log.info({ mail: retry.delivery.id, actor: request.dashboardActor }, 'dashboard mail retry');
      return reply.redirect('/admin/email?done=retried', 303);
    },
  );
}
