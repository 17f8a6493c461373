import type { FastifyInstance } from 'fastify';
import { hostsOf } from '../http/api.webhooks.routes.js';
import type { DashboardContext } from './dashboard-context.js';
import { registerDeliveryPages } from './deliveries.pages.js';
import { localDateTime } from './present.js';
import { STRINGS } from './strings.js';

/** `/admin/webhooks`: failed and pending deliveries, a `Retry` for each failed one (the API's retry). */
export function registerWebhookPages(scope: FastifyInstance, context: DashboardContext): void {
  const columns = STRINGS.deliveryColumns;
  registerDeliveryPages(scope, context, {
    path: 'webhooks',
    title: STRINGS.webhooks,
    intro: STRINGS.webhooksIntro,
    headers: [columns.event, columns.calendar, columns.endpoint, columns.attempts, columns.last],
    // Any delivery is sent again, whatever its status: a retry is never left undone.
    notices: { retried: STRINGS.retried },
    list: async (status, limit) => (await context.store.webhookDeliveries({ status, limit })).deliveries,
    rows: (deliveries, config) => {
      const hosts = hostsOf(config);
      const calendars = new Map(config.calendars.map((calendar) => [calendar.id, calendar]));
      return deliveries.map((delivery) => {
        const calendar = calendars.get(delivery.calendarId);
        const zone = calendar?.timezone ?? 'UTC';
        const last = [delivery.lastStatus ?? STRINGS.noAnswer, delivery.lastError].filter(Boolean).join(': ');
        return {
          id: delivery.id,
          created: localDateTime(zone, delivery.createdAt),
          cells: [
            delivery.eventType,
            calendar?.name ?? delivery.calendarId,
            hosts.get(delivery.endpoint) ?? delivery.endpoint,
            delivery.attempts,
            delivery.attempts === 0 ? STRINGS.none : last,
          ],
          nextAt: localDateTime(zone, delivery.nextAt),
        };
      });
    },
    retry: async (id, now) => ((await context.store.rearmWebhookDelivery(id, now)) ? 'retried' : undefined),
  });
}
