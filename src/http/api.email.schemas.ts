import { Type } from 'typebox';
import { deliveriesAnswer, deliveriesQuery } from './api.deliveries.js';
import { Nullable, Text } from './api.schemas.js';

/** Schemas of the e-mail deliveries in the business's API. */

/** `skipped`: a reminder of a booking cancelled, replaced or moved before it was due. */
const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('failed'),
  Type.Literal('sent'),
  Type.Literal('skipped'),
]);

export const EmailDelivery = Type.Object(
  {
    id: Type.String({ description: "the mail's id; its Message-ID is made from it" }),
    kind: Type.Union(
      [
        Type.Literal('booking.created'),
        Type.Literal('booking.replaced'),
        Type.Literal('booking.cancelled'),
        Type.Literal('booking.moved'),
        Type.Literal('booking.reminder'),
      ],
      { description: 'the change it tells of, or a reminder' },
    ),
    recipient_role: Type.Union([Type.Literal('contact'), Type.Literal('resource')], {
      description: 'the caller (`contact`) or the staff member of the booking (`resource`)',
    }),
    to: Type.String({ description: "the recipient's address" }),
    subject: Type.String(),
    booking: Type.String({ description: "the booking's id" }),
    calendar: Type.String(),
    status: Status,
    attempts: Type.Integer(),
    next_attempt_at: Nullable(
      Type.String({ description: 'when pending: when the next attempt is due (a reminder: its time)' }),
    ),
    last_error: Nullable(Type.String({ description: "the step and the server's reply code, never its text" })),
    created_at: Type.String(),
    finished_at: Nullable(Type.String({ description: 'when it was sent, given up or skipped; null while pending' })),
  },
  { additionalProperties: false },
);

export const EmailDeliveriesQuery = deliveriesQuery(Status);

export const EmailDeliveriesAnswer = deliveriesAnswer(EmailDelivery);

export const EmailDeliveryId = Type.Object({ id: Text(128) }, { additionalProperties: false });
