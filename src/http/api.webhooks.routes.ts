import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { formatInstant } from '../contract/timestamp.js';
import type { Store } from '../store/store.js';
import type { WebhookDelivery as StoredDelivery } from '../store/webhook-delivery.js';
import { perConfig, type LiveConfig } from '../config/live-config.js';
import { deliveriesPage, isProblem } from './api.deliveries.js';
import { problemAnswers } from './api.schemas.js';
import {
  WebhookDeliveriesAnswer,
  WebhookDeliveriesQuery,
  WebhookDelivery,
  WebhookDeliveryId,
} from './api.webhooks.schemas.js';
import { problem, sendProblem } from './problem.js';

/** The webhook deliveries: `GET /webhooks/deliveries` and `POST /webhooks/deliveries/{id}/retry`. */
export function registerWebhookRoutes(scope: FastifyInstance, config: LiveConfig, store: Store): void {
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const present = (delivery: StoredDelivery): Static<typeof WebhookDelivery> => ({
    id: delivery.id,
    endpoint: delivery.endpoint,
    host: hostsOf(config.current).get(delivery.endpoint) ?? null,
    type: delivery.eventType,
    calendar: delivery.calendarId,
    status: delivery.status,
    attempts: delivery.attempts,
    next_attempt_at: delivery.status === 'pending' ? formatInstant(delivery.nextAt) : null,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    created_at: formatInstant(delivery.createdAt),
    delivered_at: delivery.deliveredAt === null ? null : formatInstant(delivery.deliveredAt),
    payload: JSON.parse(delivery.body),
  });
  const common = { tags: ['webhooks'], security: [{ bearer: [] }] };

  api.get(
    '/webhooks/deliveries',
    {
      schema: {
        ...common,
        summary: 'Webhook deliveries, newest first, by status, paged',
        querystring: WebhookDeliveriesQuery,
        response: { 200: WebhookDeliveriesAnswer, ...problemAnswers(400, 401) },
      },
    },
    async (request, reply) => {
      const answer = await deliveriesPage(config, request.query, (filter) => store.webhookDeliveries(filter), present);
      return isProblem(answer) ? sendProblem(reply, answer) : answer;
    },
  );

  api.post(
    '/webhooks/deliveries/:id/retry',
    {
      schema: {
        ...common,
        summary: 'Send a delivery again now',
        description:
          'The delivery becomes pending and due at once, whatever its status; the worker sends it within a ' +
          'second, under the same `webhook-id`. A retried delivery that fails again is failed again: the ' +
          'retry schedule is not started over.',
        params: WebhookDeliveryId,
        response: { 200: WebhookDelivery, ...problemAnswers(400, 401, 404) },
      },
    },
    async (request, reply) => {
      // The worker's clock is the real one (retries are timers), whatever the app's clock says.
      const delivery = await store.rearmWebhookDelivery(request.params.id, Date.now());
      if (!delivery) return sendProblem(reply, problem(404, `No delivery ${request.params.id}.`));
      return present(delivery);
    },
  );
}

/** Each endpoint's host by its key, to show in the list: never the URL, which may hold a secret. */
export const hostsOf = perConfig(
  (config) => new Map(config.webhooks.map((endpoint) => [endpoint.key, new URL(endpoint.url).host])),
);
