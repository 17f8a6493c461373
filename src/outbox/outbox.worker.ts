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

/** Audit entries fanned out per transaction. */
const FAN_OUT_BATCH = 100;
/** How often the outbox is looked at when nothing is due sooner. */
const POLL_EVERY_MS = 1_000;

export interface OutboxWorker {
  /** Polls until `stop`: fans out new audit entries, then sends what is due. */
  start(): void;
  /** Stops polling and aborts attempts in flight (due again at once); resolves when the round in flight ended. */
  stop(): Promise<void>;
}

/**
 * The outbox's one worker: the audit trail is the outbox, so every change that wrote its entry
 * (telli, the admin API, the dashboard) produces its messages here, after the commit and off any
 * request's path. Each round fans the pending entries out to every channel's messages in one
 * transaction per batch, then sends the channels' due messages. A channel adds its router to
 * `route` and its sender to the round: webhooks and e-mail.
 */
export function createOutboxWorker(options: {
  readonly config: LiveConfig;
  readonly store: OutboxStore & WebhookDeliveryStore & EmailDeliveryStore & Pick<BookingStore, 'bookingById'>;
  readonly log: WebhookLog;
  readonly onWebhookOutcome: (outcome: DeliveryOutcome) => void;
  readonly onEmailOutcome: (outcome: EmailOutcomeKind) => void;
  /** The real clock: retries are timers, and receivers check the signed timestamp against theirs. */
  readonly clock?: () => number;
}): OutboxWorker {
  const { config, store, log } = options;
  const clock = options.clock ?? Date.now;
  // Read per round from the config in force, so a reload's endpoints apply to the next change.
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
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;
  let stopped = false;

  /** Fans out everything pending, then sends; resolves to when the earliest retry it scheduled is due. */
  async function runRound(): Promise<number | undefined> {
    while ((await store.fanOut(route, FAN_OUT_BATCH, clock())) === FAN_OUT_BATCH && !stopped);
    const retries = await Promise.all([webhookDelivery.flush(), emailDelivery.flush()]);
    const due = retries.filter((at) => at !== undefined);
    return due.length === 0 ? undefined : Math.min(...due);
  }

  function wakeAt(at: number): void {
    clearTimeout(timer);
    timer = setTimeout(tick, Math.max(0, at - clock()));
    timer.unref();
  }

  function tick(): void {
    if (stopped) return;
    round = runRound().then(
      (retryAt) => {
        if (!stopped) wakeAt(Math.min(clock() + POLL_EVERY_MS, retryAt ?? Infinity));
      },
      (error: unknown) => {
        log.warn({ err: error }, 'the outbox could not run; trying again');
        if (!stopped) wakeAt(clock() + POLL_EVERY_MS);
      },
    );
  }

  return {
    start: tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      webhookDelivery.abort();
      emailDelivery.stop();
      await round;
      emailDelivery.close();
    },
  };
}

const webhooksOf = perConfig(webhookMessages);
const emailsOf = perConfig(emailMessages);
