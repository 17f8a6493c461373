import type { Config } from '../config/config.types.js';
import type { OutboxEvent } from '../store/outbox.js';
import type { NewWebhookDelivery } from '../store/webhook-delivery.js';
import { webhookBody } from './webhook-events.js';
import { timeOrderedId } from '../shared/time-ordered-id.js';

/**
 * The webhook channel of the outbox: each event becomes one delivery per endpoint that wants its
 * type and calendar. The body is fixed here, so every attempt sends the same bytes under the same
 * `webhook-id`.
 */
export function webhookMessages(config: Config) {
  const timezones = new Map(config.calendars.map((calendar) => [calendar.id, calendar.timezone]));
  return (events: readonly OutboxEvent[], now: number): NewWebhookDelivery[] => {
    if (config.webhooks.length === 0) return [];
    return events.flatMap((event) => {
      const { entry } = event;
      const endpoints = config.webhooks.filter(
        (endpoint) =>
          endpoint.events.has(entry.action) && (!endpoint.calendars || endpoint.calendars.has(entry.calendarId)),
      );
      if (endpoints.length === 0) return [];
      const body = webhookBody(event, timezones.get(entry.calendarId));
      if (!body) return [];
      const json = JSON.stringify(body);
      return endpoints.map((endpoint) => ({
        id: `msg_${timeOrderedId(now)}`,
        endpoint: endpoint.key,
        eventType: entry.action,
        calendarId: entry.calendarId,
        auditSeq: entry.seq,
        body: json,
        createdAt: now,
      }));
    });
  };
}
