/**
 * The /book storm with the outbox at work: the same storm, with caller e-mails in the contact
 * details, on a server without webhooks and e-mail, and on one with a webhook endpoint and an
 * SMTP server configured (both receivers in the bench process), in turns, each storm on a fresh
 * server and its own copy of the seed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { BenchFailure, log, type Bench, type Phase } from '../harness.js';
import { fixed, perRequest } from '../report.js';
import { startOutboxReceivers, type OutboxReceivers } from '../outbox-receivers.js';
import { inSequence } from '../load.js';
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

/** Storms of each kind, in turns: one after the other, a swing of the machine would fall on one kind. */
const ROUNDS = 3;

/** Storms of one kind taken together: their successes over their seconds, and their latencies pooled. */
function together(storms: readonly Storm[]): { rps: number; p50: number; p99: number; other: number } {
  const pooled = inSequence(storms);
  const seconds = storms.reduce((sum, result) => sum + result.seconds, 0);
  return {
    rps: storms.reduce((sum, result) => sum + result.successes, 0) / seconds,
    p50: pooled.p50,
    p99: pooled.p99,
    other: storms.reduce((sum, result) => sum + result.other * result.seconds, 0) / seconds,
  };
}

const cpuOf = (storms: readonly Storm[]) =>
  perRequest(
    storms.reduce((sum, result) => sum + result.serverCpu, 0),
    storms.reduce((sum, result) => sum + result.requests, 0),
  );

export const outboxPhase: Phase = {
  name: 'outbox',
  async run(bench) {
    const { config } = await bench.scenario();
    const without: Storm[] = [];
    const withOutbox: Storm[] = [];

    async function plainStorm(round: number): Promise<void> {
      const copy = `outbox-off-${round}`;
      const { server, database } = await bench.launchOnSeed(copy, `slotline (no outbox, storm ${round + 1})`);
      const label = `/book storm ${round + 1}, no outbox`;
      without.push(await storm(bench, server, { prefix: `plain${round}-`, label, contactDetails }));
      await bench.stop(server);
      await checkDoubles(label, database);
    }

    /** A storm with the outbox on; the last one's server then gets DRAIN_MS to send what it owes. */
    async function outboxStorm(round: number) {
      const receivers = await startOutboxReceivers();
      try {
        const database = await bench.seededCopy(`outbox-on-${round}`);
        const server = await bench.launch({
          name: `slotline (webhooks and e-mail, storm ${round + 1})`,
          config: outboxConfig(bench, config, receivers),
          database: `sqlite:${database}`,
          logFile: join(bench.workDir, `outbox-on-${round}.log`),
        });
        const label = `/book storm ${round + 1}, outbox`;
        withOutbox.push(await storm(bench, server, { prefix: `outbox${round}-`, label, contactDetails }));
        const received = { webhooks: receivers.webhooks(), mails: receivers.mails() };
        const drained = round === ROUNDS - 1 ? await drain(receivers, database) : undefined;
        bench.checkHealthy();
        await bench.stop(server);
        await checkDoubles(label, database);
        const owed = stormBookings(database);
        if (receivers.webhooks() > owed || receivers.mails() > 2 * owed) {
          throw new BenchFailure(
            `${receivers.webhooks()} webhooks and ${receivers.mails()} mails for ${owed} bookings`,
          );
        }
        log(`outbox: ${receivers.webhooks()} webhooks and ${receivers.mails()} mails for ${owed} bookings`);
        return { owed, received, drained, total: { webhooks: receivers.webhooks(), mails: receivers.mails() } };
      } finally {
        await receivers.close();
      }
    }

    let last: Awaited<ReturnType<typeof outboxStorm>> | undefined;
    for (let round = 0; round < ROUNDS; round += 1) {
      // Every other round the other kind first, so neither always follows the same.
      if (round % 2 === 0) {
        await plainStorm(round);
        last = await outboxStorm(round);
      } else {
        last = await outboxStorm(round);
        await plainStorm(round);
      }
    }
    const { owed, received, drained, total } = last!;

    const plain = together(without);
    const outbox = together(withOutbox);
    const ratio = outbox.rps / plain.rps;
    const rates = (storms: readonly Storm[]) => storms.map((result) => Math.round(result.successRate)).join(', ');
    return {
      title: '`/book` with webhooks and e-mail configured (SQLite)',
      scenario:
        `${STORM_SCENARIO} Every storm contact has an e-mail address; with the outbox, every storm ` +
        'resource has one too, one webhook endpoint takes every event, and `remind_before` is 24h. ' +
        `${ROUNDS} storms of each kind, in turns, each on a fresh server and copy of the seed.`,
      table: {
        kind: 'load',
        rows: [
          { scenario: '`/book` storm, no webhooks or e-mail: successful bookings/s', ...plain },
          {
            scenario: '`/book` storm, webhooks and e-mail configured: successful bookings/s',
            ...outbox,
            target: `≥ ${1 - OUTBOX_TOLERANCE} × the row above (${fixed(ratio, 3)} ×)`,
            met: ratio >= 1 - OUTBOX_TOLERANCE,
          },
        ],
      },
      notes: [
        `Successful bookings/s of each storm: ${rates(without)} without, ${rates(withOutbox)} with the outbox; ` +
          `with over without in each round: ${withOutbox.map((result, round) => fixed(result.successRate / without[round]!.successRate, 3)).join(', ')}.`,
        `Server CPU per request: ${cpuOf(without)} without, ${cpuOf(withOutbox)} with the outbox (its worker runs in the same ` +
          'process; the receivers run in the bench process, on the same cores).',
        `In the last storm the outbox owed ${owed} webhooks and ${2 * owed} mails (for its ${owed} bookings, warm-ups included); ` +
          `by the end of the storm the receivers had ${received.webhooks} and ${received.mails}; ` +
          (drained === undefined
            ? `${DRAIN_MS / 1000} s later only ${total.webhooks} and ${total.mails}.`
            : `all of them ${fixed(drained / 1000, 1)} s later.`),
      ],
    };
  },
};
