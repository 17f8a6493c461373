import type { FastifyInstance } from 'fastify';
import type { DashboardContext } from './dashboard-context.js';
import { registerDeliveryPages } from './deliveries.pages.js';
import { html } from './html.js';
import { bookingPath, localDateTime } from './present.js';
import { STRINGS } from './strings.js';

/**
 * `/admin/email`: failed and pending mails, a `Retry` for each failed one (the API's retry). No
 * address is shown: the booking, one click away, has the caller's.
 */
export function registerEmailPages(scope: FastifyInstance, context: DashboardContext): void {
  const columns = STRINGS.mailColumns;
  registerDeliveryPages(scope, context, {
    path: 'email',
    title: STRINGS.email,
    intro: STRINGS.emailIntro,
    headers: [columns.kind, columns.recipient, columns.booking, columns.attempts, columns.error],
    notices: { retried: STRINGS.mailRetried, unchanged: STRINGS.mailNotFailed },
    list: async (status, limit) => (await context.store.emailDeliveries({ status, limit })).deliveries,
    rows: (deliveries, config) => {
      const zones = new Map(config.calendars.map((calendar) => [calendar.id, calendar.timezone]));
      return deliveries.map((delivery) => {
        const zone = zones.get(delivery.calendarId) ?? 'UTC';
        return {
          id: delivery.id,
          created: localDateTime(zone, delivery.createdAt),
          cells: [
            delivery.kind,
            STRINGS.recipientRoles[delivery.mail.role],
            html`<a href="${bookingPath(delivery.bookingId)}">${delivery.bookingId}</a>`,
            delivery.attempts,
            delivery.lastError ?? STRINGS.none,
          ],
          nextAt: localDateTime(zone, delivery.dueAt),
        };
      });
    },
    retry: async (id, now) => {
      const retry = await context.store.retryEmailDelivery(id, now);
      return retry && (retry.retried ? 'retried' : 'unchanged');
    },
  });
}
