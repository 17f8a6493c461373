import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { LiveConfig } from '../config/live-config.js';
import { formatInstant } from '../contract/timestamp.js';
import type { EmailDelivery as StoredDelivery } from '../store/email-delivery.js';
import type { Store } from '../store/store.js';
import { deliveriesPage, isProblem } from './api.deliveries.js';
import { EmailDeliveriesAnswer, EmailDeliveriesQuery, EmailDelivery, EmailDeliveryId } from './api.email.schemas.js';
import { problemAnswers } from './api.schemas.js';
import { problem, sendProblem } from './problem.js';

/** The e-mail deliveries: `GET /email/deliveries` and `POST /email/deliveries/{id}/retry`. */
export function registerEmailRoutes(scope: FastifyInstance, config: LiveConfig, store: Store): void {
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const common = { tags: ['email'], security: [{ bearer: [] }] };

  api.get(
    '/email/deliveries',
    {
      schema: {
        ...common,
        summary: 'E-mail deliveries, newest first, by status, paged',
        querystring: EmailDeliveriesQuery,
        response: { 200: EmailDeliveriesAnswer, ...problemAnswers(400, 401) },
      },
    },
    async (request, reply) => {
      const answer = await deliveriesPage(config, request.query, (filter) => store.emailDeliveries(filter), present);
      return isProblem(answer) ? sendProblem(reply, answer) : answer;
    },
  );

  api.post(
    '/email/deliveries/:id/retry',
    {
      schema: {
        ...common,
        summary: 'Send a failed mail again now',
        description:
          'A failed mail becomes pending and due at once; the worker sends it within a second, the same ' +
          'message under the same Message-ID. Its attempts are kept: the retry schedule does not start ' +
          'over, so a mail that used it up is failed again at its next refusal. A mail that is not failed ' +
          'is left as it is: 409.',
        params: EmailDeliveryId,
        response: { 200: EmailDelivery, ...problemAnswers(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      // The worker's clock is the real one (retries are timers), whatever the app's clock says.
      const retry = await store.retryEmailDelivery(request.params.id, Date.now());
      if (!retry) return sendProblem(reply, problem(404, `No delivery ${request.params.id}.`));
      if (!retry.retried) {
        return sendProblem(
          reply,
          problem(409, `Only a failed mail is sent again; this one is ${retry.delivery.status}.`),
        );
      }
      return present(retry.delivery);
    },
  );
}

function present(delivery: StoredDelivery): Static<typeof EmailDelivery> {
  return {
    id: delivery.id,
    kind: delivery.kind,
    recipient_role: delivery.mail.role,
    to: delivery.mail.to,
    subject: delivery.mail.subject,
    booking: delivery.bookingId,
    calendar: delivery.calendarId,
    status: delivery.status,
    attempts: delivery.attempts,
    next_attempt_at: delivery.status === 'pending' ? formatInstant(delivery.dueAt) : null,
    last_error: delivery.lastError,
    created_at: formatInstant(delivery.createdAt),
    finished_at: delivery.sentAt === null ? null : formatInstant(delivery.sentAt),
  };
}
