import { perConfig, type LiveConfig } from '../config/live-config.js';
import { createEmailDelivery, type EmailOutcomeKind } from '../notify/email-delivery.service.js';
import { emailMessages } from '../notify/email-messages.js';
import type { BookingStore } from '../store/booking.store.js';
import type { EmailDeliveryStore } from '../store/email-delivery.store.js';
import type { OutboxRouter } from '../store/outbox.js';
import type { OutboxStore } from '../store/outbox.store.js';
import type { WebhookDeliveryStore } from '../store/webhook-delivery.store.js';
import { createWebhookDelivery, type DeliveryOutcome, type WebhookLog } from '../webhooks/webhook-delivery.service.js';
import { webhookMessages } from '../webhooks/webhook-messages.js';
import { createLane } from './lane.js';
import type { Saturated } from './saturation.js';

/** Audit entries fanned out per transaction. */
const FAN_OUT_BATCH = 100;
/** How often each part of the outbox looks for work when nothing is due sooner. */
const POLL_EVERY_MS = 1_000;

export interface OutboxWorker {
  /** Polls until `stop`: fans out new audit entries, and sends what is due. */
  start(): void;
  /** Stops polling and aborts attempts in flight (due again at once); resolves when the runs in flight ended. */
  stop(): Promise<void>;
}

/**
 * The outbox's one worker: the audit trail is the outbox, so every change that wrote its entry
 * (telli, the admin API, the dashboard) produces its messages here, after the commit and off any
 * request's path. Three lanes run side by side, each on its own poll, so that none waits for
 * another: the fan-out turns pending entries into every channel's messages (one transaction per
 * batch) and wakes the senders, and each channel (webhooks, e-mail) sends its due messages. A mail
 * server that hangs delays mail, never the webhooks of the next booking.
 *
 * The outbox is background work: after a full batch each lane goes on only if requests do not
 * saturate the process (`saturatedBy`), else it takes its next batch at the next poll. Under a
 * storm of bookings it works a batch a second instead of taking the event loop from the callers
 * (fanning a booking out, its mails rendered and written, costs nearly as much as the booking),
 * and catches up once the storm is over.
 */
export function createOutboxWorker(options: {
  readonly config: LiveConfig;
  readonly store: OutboxStore & WebhookDeliveryStore & EmailDeliveryStore & Pick<BookingStore, 'bookingById'>;
  readonly log: WebhookLog;
  readonly onWebhookOutcome: (outcome: DeliveryOutcome) => void;
  readonly onEmailOutcome: (outcome: EmailOutcomeKind) => void;
  /** The real clock: retries are timers, and receivers check the signed timestamp against theirs. */
  readonly clock?: () => number;
  /** Whether requests leave no room for the next batch now (`saturatedBy`); without it, never. */
  readonly saturated?: Saturated;
}): OutboxWorker {
  const { config, store, log } = options;
  const clock = options.clock ?? Date.now;
  const saturated = options.saturated ?? (async () => false);
  // Read per batch from the config in force, so a reload's endpoints apply to the next change.
  const route: OutboxRouter = (events, now) => ({
    webhooks: webhooksOf(config.current)(events, now),
    emails: emailsOf(config.current)(events, now),
  });
  const webhookDelivery = createWebhookDelivery({
    webhooks: () => config.current.webhooks,
    store,
    log,
    clock,
    onOutcome: options.onWebhookOutcome,
  });
  const emailDelivery = createEmailDelivery({
    email: () => config.current.email,
    store,
    log,
    clock,
    onOutcome: options.onEmailOutcome,
  });
  let stopped = false;
  const lane = (run: () => Promise<number | undefined>) =>
    createLane({
      run,
      failed: (error) => log.warn({ err: error }, 'the outbox could not run; trying again'),
      pollMs: POLL_EVERY_MS,
      clock,
    });
  const senders = [lane(() => webhookDelivery.flush(saturated)), lane(() => emailDelivery.flush(saturated))];
  const fanOut = lane(async () => {
    for (;;) {
      const fannedOut = await store.fanOut(route, FAN_OUT_BATCH, clock());
      const more = fannedOut === FAN_OUT_BATCH && !stopped;
      const busy = more && (await saturated());
      // Saturated, the senders find the new messages at their own poll: a wake would add a batch.
      if (fannedOut > 0 && !busy) for (const sender of senders) sender.wake();
      if (!more || busy) return undefined;
    }
  });
  const lanes = [fanOut, ...senders];

  return {
    start() {
      for (const each of lanes) each.wake();
    },
    async stop() {
      stopped = true;
      webhookDelivery.abort();
      emailDelivery.stop();
      await Promise.all(lanes.map((each) => each.stop()));
      emailDelivery.close();
    },
  };
}

const webhooksOf = perConfig(webhookMessages);
const emailsOf = perConfig(emailMessages);
