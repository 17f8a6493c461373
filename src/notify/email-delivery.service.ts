import type { EmailConfig } from '../config/config.types.js';
import { formatInstant } from '../contract/timestamp.js';
import { attemptAllDue, jittered } from '../outbox/retry.js';
import type { Saturated } from '../outbox/saturation.js';
import type { BookingStore } from '../store/booking.store.js';
import type { EmailDelivery, EmailOutcome } from '../store/email-delivery.js';
import type { EmailDeliveryStore } from '../store/email-delivery.store.js';
import { createMailTransport, MailSendError, sendMail, type MailTransport } from './mail-sender.js';
import { reminderStillDue } from './reminder.js';

/**
 * How long an attempt's lease lasts: longer than one send may take (each of nodemailer's waits is
 * bounded at 15 s), so that no other process sends the mail meanwhile.
 */
const LEASE_MS = 60_000;
/** Mails leased and sent at once. */
const BATCH = 20;

export interface EmailLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export type EmailOutcomeKind = EmailOutcome['kind'];

/**
 * Sends the pending mails: each attempt under a lease, so on PostgreSQL with several processes
 * each mail is sent by one of them. A reminder is sent only while its booking still starts when it
 * did (`reminderStillDue`). A temporary failure is retried on `email.retry_schedule` (with
 * jitter); a permanent refusal (5xx) and the end of the schedule end the mail. Without an `email`
 * section (a reload removed it) mails wait. Logs never carry an address.
 */
export function createEmailDelivery(options: {
  /** The e-mail config in force, read at each round (a reload may change the server). */
  readonly email: () => EmailConfig | undefined;
  readonly store: EmailDeliveryStore & Pick<BookingStore, 'bookingById'>;
  readonly log: EmailLog;
  readonly clock: () => number;
  readonly onOutcome: (outcome: EmailOutcomeKind) => void;
}) {
  const { store, log, clock } = options;
  let transport: { readonly url: string; readonly transport: MailTransport } | undefined;
  let stopped = false;

  function transportFor(url: string): MailTransport {
    if (transport?.url !== url) {
      transport?.transport.close();
      transport = { url, transport: createMailTransport(url) };
    }
    return transport.transport;
  }

  async function outcomeOf(delivery: EmailDelivery, email: EmailConfig): Promise<EmailOutcome> {
    if (delivery.remindStart !== null) {
      const booking = await store.bookingById(delivery.bookingId);
      const now = booking && { status: booking.status, start_iso: formatInstant(booking.start) };
      if (!now || !reminderStillDue(delivery.remindStart, now)) {
        return { kind: 'skipped', reason: 'the booking was cancelled or moved' };
      }
    }
    try {
      await sendMail(transportFor(email.smtpUrl), delivery.mail, delivery.id);
      return { kind: 'sent' };
    } catch (error) {
      if (!(error instanceof MailSendError)) throw error;
      if (error.permanent) return { kind: 'failed', error: `${error.message}: refused for good` };
      const wait = email.retrySchedule[delivery.attempts];
      if (wait === undefined) return { kind: 'failed', error: `${error.message}; the retry schedule is used up` };
      return { kind: 'retry', error: error.message, retryAt: clock() + jittered(wait) };
    }
  }

  async function attempt(delivery: EmailDelivery, email: EmailConfig): Promise<number | undefined> {
    const outcome = await outcomeOf(delivery, email);
    await store.emailAttempted(delivery.id, outcome, clock());
    options.onOutcome(outcome.kind);
    const fields = {
      mail: delivery.id,
      kind: delivery.kind,
      recipient: delivery.mail.role,
      booking: delivery.bookingId,
      attempts: delivery.attempts + (outcome.kind === 'skipped' ? 0 : 1),
    };
    switch (outcome.kind) {
      case 'retry':
        log.info(
          { ...fields, error: outcome.error, retry_at: new Date(outcome.retryAt).toISOString() },
          'mail not sent; will retry',
        );
        return outcome.retryAt;
      case 'failed':
        log.warn({ ...fields, error: outcome.error }, 'mail not sent; no more attempts');
        return undefined;
      case 'skipped':
        log.info({ ...fields, reason: outcome.reason }, 'reminder not sent');
        return undefined;
      default:
        return undefined;
    }
  }

  return {
    /**
     * Sends every mail due now, a batch at a time while the process is not `saturated`; resolves
     * to the earliest retry it scheduled, so the worker can wake for it.
     */
    flush: (saturated: Saturated) =>
      attemptAllDue(
        BATCH,
        async () => {
          const email = options.email();
          if (stopped || !email) return [];
          const now = clock();
          const claimed = await store.claimEmailDeliveries(now, now + LEASE_MS, BATCH);
          return claimed.map((delivery) => () => attempt(delivery, email));
        },
        saturated,
      ),
    /** Takes no new mails; the ones being sent finish (each wait is bounded). */
    stop(): void {
      stopped = true;
    },
    /** Closes the SMTP connections, once no mail is being sent. */
    close(): void {
      transport?.transport.close();
    },
  };
}
