import { Type } from 'typebox';
import { deliveriesAnswer, deliveriesQuery } from './api.deliveries.js';
import { Nullable, Text } from './api.schemas.js';

/** Schemas of the webhook deliveries in the business's API. */

const Status = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]);

export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ description: 'the `webhook-id` header: the same on every attempt' }),
    endpoint: Type.String({ description: "the endpoint's key, a hash of its URL" }),
    host: Nullable(Type.String({ description: "the endpoint's host; null once it is no longer configured" })),
    type: Type.String({ description: 'the event, e.g. booking.created' }),
    calendar: Type.String(),
    status: Status,
    attempts: Type.Integer(),
    next_attempt_at: Nullable(Type.String({ description: 'when pending: when the next attempt is due' })),
    last_status: Nullable(Type.Integer({ description: 'HTTP status of the last attempt; null: no answer' })),
    last_error: Nullable(Type.String()),
    created_at: Type.String(),
    delivered_at: Nullable(Type.String()),
    payload: Type.Record(Type.String(), Type.Unknown(), { description: 'the body sent, as JSON' }),
  },
  { additionalProperties: false },
);

export const WebhookDeliveriesQuery = deliveriesQuery(Status);

export const WebhookDeliveriesAnswer = deliveriesAnswer(WebhookDelivery);

export const WebhookDeliveryId = Type.Object({ id: Text(128) }, { additionalProperties: false });
