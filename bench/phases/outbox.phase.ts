/**
 * The /book storm with the outbox at work: the same storm, with caller e-mails in the contact
 * details, on a server without webhooks and e-mail, then on one with a webhook endpoint and an
 * SMTP server configured (both receivers in the bench process), each on its own copy of the seed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { BenchFailure, log, type Bench, type Phase } from '../harness.js';
import { fixed, perRequest } from '../report.js';
import { startOutboxReceivers, type OutboxReceivers } from '../outbox-receivers.js';
import { checkDoubles, storm, type Storm } from '../workloads.js';
import { STORM_ID } from '../scenario.js';
import { STORM_SCENARIO } from './scenarios.js';

/** The bound: `/book` with webhooks and e-mail within this share of its throughput without. */
const OUTBOX_TOLERANCE = 0.1;
/** How long the outbox gets after the storm to send what it owes, before the phase says how far it got. */
const DRAIN_MS = 60_000;

/** Every storm booking's caller has an address, so each booking owes two mails and a webhook. */
const contactDetails = (contactId: string) => ({ name: `Caller ${contactId}`, email: `${contactId}@bench.example` });

/** The scenario's config with a webhook endpoint, an `email` section, and an address per storm resource. */
function outboxConfig(bench: Bench, config: string, receivers: OutboxReceivers): string {
  const path = join(bench.workDir, 'slotline-outbox.yaml');
  const sections =
    `webhooks:\n  - url: ${receivers.webhookUrl}\n    secret: "${receivers.webhookSecret}"\n` +
    `email:\n  smtp_url: ${receivers.smtpUrl}\n  from: "Bench <bench@bench.example>"\n  remind_before: 24h\n`;
  const withStaffAddresses = readFileSync(config, 'utf8').replace(
    /\{ id: (s\d+), name: Resource s\d+ \}/g,
    (resource, id: string) => `${resource.slice(0, -2)}, email: ${id}@bench.example }`,
  );
  writeFileSync(path, sections + withStaffAddresses);
  return path;
}

/** The bookings of the storm calendar in a copy of the seed (which has none): warm-ups included. */
function stormBookings(database: string): number {
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    return (db.prepare('select count(*) as n from bookings where calendar_id = ?').get(STORM_ID) as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Waits until the receivers got what the bookings owe, or DRAIN_MS passed; answers how long it
 * took. The bookings are counted again each time: answers in flight when the storm ended still book.
 */
async function drain(receivers: OutboxReceivers, database: string): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < DRAIN_MS) {
    const bookings = stormBookings(database);
    if (receivers.webhooks() >= bookings && receivers.mails() >= 2 * bookings) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

export const outboxPhase: Phase = {
  name: 'outbox',
  async run(bench) {
    const { config } = await bench.scenario();
    const { server: plain, database: plainDatabase } = await bench.launchOnSeed('outbox-off', 'slotline (no outbox)');
    const without = await storm(bench, plain, { prefix: 'plain-', label: '/book storm, no outbox', contactDetails });
    await bench.stop(plain);
    await checkDoubles('storm without the outbox', plainDatabase);

    const receivers = await startOutboxReceivers();
    let withOutbox: Storm;
    let owed: number;
    let drained: number | undefined;
    let received: { webhooks: number; mails: number };
    try {
      const database = await bench.seededCopy('outbox-on');
      const server = await bench.launch({
        name: 'slotline (webhooks and e-mail)',
        config: outboxConfig(bench, config, receivers),
        database: `sqlite:${database}`,
        logFile: join(bench.workDir, 'outbox-on.log'),
      });
      withOutbox = await storm(bench, server, { prefix: 'outbox-', label: '/book storm, outbox', contactDetails });
      received = { webhooks: receivers.webhooks(), mails: receivers.mails() };
      drained = await drain(receivers, database);
      bench.checkHealthy();
      await bench.stop(server);
      await checkDoubles('storm with the outbox', database);
      owed = stormBookings(database);
    } finally {
      await receivers.close();
    }
    if (receivers.webhooks() > owed || receivers.mails() > 2 * owed) {
      throw new BenchFailure(`${receivers.webhooks()} webhooks and ${receivers.mails()} mails for ${owed} bookings`);
    }
    log(`outbox: ${receivers.webhooks()} webhooks and ${receivers.mails()} mails for ${owed} bookings`);

    const ratio = withOutbox.successRate / without.successRate;
    const row = (result: Storm) => ({ rps: result.successRate, p50: result.p50, p99: result.p99, other: result.other });
    return {
      title: '`/book` with webhooks and e-mail configured (SQLite)',
      scenario:
        `${STORM_SCENARIO} Every storm contact has an e-mail address; with the outbox, every storm ` +
        'resource has one too, one webhook endpoint takes every event, and `remind_before` is 24h.',
      table: {
        kind: 'load',
        rows: [
          { scenario: '`/book` storm, no webhooks or e-mail: successful bookings/s', ...row(without) },
          {
            scenario: '`/book` storm, webhooks and e-mail configured: successful bookings/s',
            ...row(withOutbox),
            target: `≥ ${1 - OUTBOX_TOLERANCE} × the row above (${fixed(ratio, 3)} ×)`,
            met: ratio >= 1 - OUTBOX_TOLERANCE,
          },
        ],
      },
      notes: [
        `Server CPU per request: ${perRequest(without.serverCpu, without.requests)} without, ` +
          `${perRequest(withOutbox.serverCpu, withOutbox.requests)} with the outbox (its worker runs in the same ` +
          'process; the receivers run in the bench process, on the same cores).',
        `The outbox owed ${owed} webhooks and ${2 * owed} mails (for its ${owed} bookings, warm-ups included); by the end of the ` +
          `storm the receivers had ${received.webhooks} and ${received.mails}; ` +
          (drained === undefined
            ? `${DRAIN_MS / 1000} s later only ${receivers.webhooks()} and ${receivers.mails()}.`
            : `all of them ${fixed(drained / 1000, 1)} s later.`),
      ],
    };
  },
};
