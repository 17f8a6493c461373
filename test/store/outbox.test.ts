import { PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import type { NewEmailDelivery } from '../../src/store/email-delivery.js';
import type { OutboxEvent, OutboxRouter } from '../../src/store/outbox.js';
import { outboxStore } from '../../src/store/outbox.store.js';
import { openStore } from '../../src/store/open-store.js';
import { postgresRunner } from '../../src/store/postgres.runner.js';
import { storeQueries } from '../../src/store/store-queries.js';
import type { Store } from '../../src/store/store.js';
import { DIALECTS, dropTestDatabases, freshDatabase, POSTGRES_URL, type Dialect } from '../dialects.js';
import { bookDirectly } from './book-directly.js';
import { databaseAt } from './database-at.js';

/**
 * The outbox: every audit entry is fanned out once, in order, with the booking it concerns, and
 * its deliveries are each leased to one process at a time. Two stores on one database stand for
 * two processes.
 */
const NOW = Date.parse('2026-12-01T06:00:00Z');
const MINUTE = 60_000;

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});
afterAll(dropTestDatabases);

async function storesOn(database: string, count: number): Promise<Store[]> {
  const stores = [];
  for (let index = 0; index < count; index++) stores.push(await openStore(database, DEFAULT_POOL));
  opened.push(...stores);
  return stores;
}

/** A booking of Ada at NOW + `hours`, replacing her earlier one when asked. */
async function book(store: Store, id: string, hours: number, replace = false): Promise<void> {
  await bookDirectly(store, { id, start: NOW + hours * 60 * MINUTE, createdAt: NOW, contactId: 'ada' }, { replace });
}

/** A router that records the events and makes one delivery of each. */
function recording(): { route: OutboxRouter; seen: OutboxEvent[] } {
  const seen: OutboxEvent[] = [];
  const route: OutboxRouter = (events, now) => {
    seen.push(...events);
    return {
      webhooks: events.map((event) => ({
        id: `msg_${event.entry.seq}`,
        endpoint: 'endpoint',
        eventType: event.entry.action,
        calendarId: event.entry.calendarId,
        auditSeq: event.entry.seq,
        body: '{}',
        createdAt: now,
      })),
      emails: { deliveries: [], voidReminders: [] },
    };
  };
  return { route, seen };
}

/** A mail about an event's booking (a reminder when asked); its content does not matter here. */
function mailOf(event: OutboxEvent, now: number, reminder: boolean): NewEmailDelivery {
  return {
    id: `mail_${event.entry.seq}${reminder ? '_reminder' : ''}`,
    bookingId: event.entry.bookingId!,
    calendarId: event.entry.calendarId,
    auditSeq: event.entry.seq,
    kind: reminder ? 'booking.reminder' : 'booking.created',
    mail: {
      role: 'contact',
      from: { name: 'Front desk', address: 'desk@example.com' },
      to: 'ada@example.com',
      subject: `Booking ${event.entry.bookingId}`,
      text: 'See you "soon" – 10:00',
      html: '<p>See you</p>',
      invite: { method: 'REQUEST', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR' },
    },
    remindStart: reminder ? '2026-12-01T07:00:00.000Z' : null,
    dueAt: reminder ? now + 60 * MINUTE : now,
    createdAt: now,
  };
}

/**
 * A router that writes, for each event, a webhook, a mail and a reminder, and voids the pending
 * reminders of the bookings in `voiding` (whatever the events).
 */
function mailing(voiding: readonly string[] = []): OutboxRouter {
  return (events, now) => ({
    webhooks: recording().route(events, now).webhooks,
    emails: {
      deliveries: events.flatMap((event) => [mailOf(event, now, false), mailOf(event, now, true)]),
      voidReminders: voiding,
    },
  });
}

describe.each(DIALECTS)('on %s', (dialect: Dialect) => {
  it('should fan each entry out once, in order, with its booking and the one that replaced it', async () => {
    const [store] = await storesOn(freshDatabase(dialect), 1);
    await book(store!, 'first', 1);
    await book(store!, 'second', 2, true);
    const { route, seen } = recording();

    expect(await store!.fanOut(route, 2, NOW)).toBe(2);
    expect(await store!.fanOut(route, 2, NOW)).toBe(1);
    expect(await store!.fanOut(route, 2, NOW)).toBe(0);
    expect(seen.map((event) => [event.entry.action, event.booking?.id, event.replacement?.id])).toEqual([
      ['booking.created', 'first', undefined],
      ['booking.replaced', 'first', 'second'],
      ['booking.created', 'second', undefined],
    ]);
    // The booking as it is now; the entry says what each change made of it.
    expect(seen[0]!.booking?.status).toBe('replaced');
    const { deliveries } = await store!.webhookDeliveries({ limit: 10 });
    expect(deliveries.map((delivery) => delivery.auditSeq).sort()).toEqual(seen.map((event) => event.entry.seq));
  });

  it("should write a batch's webhooks and mails as they were routed, and void only the reminders named", async () => {
    const [store] = await storesOn(freshDatabase(dialect), 1);
    for (let hour = 1; hour <= 3; hour++) await book(store!, `b${hour}`, hour);
    expect(await store!.fanOut(mailing(), 10, NOW)).toBe(3);

    const { deliveries: webhooks } = await store!.webhookDeliveries({ limit: 10 });
    expect(
      webhooks.map(({ id, endpoint, eventType, calendarId, body, status, nextAt, createdAt }) => ({
        id,
        endpoint,
        eventType,
        calendarId,
        body,
        status,
        nextAt,
        createdAt,
      })),
    ).toEqual(
      [3, 2, 1].map((seq) => ({
        id: `msg_${seq}`,
        endpoint: 'endpoint',
        eventType: 'booking.created',
        calendarId: 'cal',
        body: '{}',
        status: 'pending',
        nextAt: NOW,
        createdAt: NOW,
      })),
    );
    const { entries } = await store!.auditEntries({ limit: 10 });
    const event = { entry: entries[0]! };
    const written = await store!.emailDeliveries({ limit: 10 });
    expect(written.deliveries.find((mail) => mail.id === 'mail_1_reminder')).toEqual({
      ...mailOf(event, NOW, true),
      status: 'pending',
      attempts: 0,
      lastError: null,
      sentAt: null,
    });
    expect(written.deliveries.find((mail) => mail.id === 'mail_1')).toMatchObject(mailOf(event, NOW, false));

    await book(store!, 'b4', 4);
    expect(await store!.fanOut(mailing(['b1', 'b3', 'b4']), 10, NOW + 1)).toBe(1);
    const reminders = (await store!.emailDeliveries({ limit: 20 })).deliveries.filter(
      (mail) => mail.kind === 'booking.reminder',
    );
    // b4's reminder was written after the voiding, in the same fan-out: it stays.
    expect(Object.fromEntries(reminders.map((mail) => [mail.bookingId, mail.status]))).toEqual({
      b1: 'skipped',
      b2: 'pending',
      b3: 'skipped',
      b4: 'pending',
    });
  });

  it('should fan out nothing twice when two processes fan out at once', async () => {
    const stores = await storesOn(freshDatabase(dialect), 2);
    for (let hour = 1; hour <= 30; hour++) await book(stores[0]!, `b${hour}`, hour);
    const routers = stores.map(() => recording());
    const drain = async (store: Store, route: OutboxRouter) => {
      while ((await store.fanOut(route, 4, NOW)) > 0);
    };
    await Promise.all(stores.map((store, index) => drain(store, routers[index]!.route)));

    const seqs = routers.flatMap((router) => router.seen.map((event) => event.entry.seq));
    expect(seqs).toHaveLength(30);
    expect(new Set(seqs).size).toBe(30);
    expect((await stores[0]!.webhookDeliveries({ limit: 100 })).deliveries).toHaveLength(30);
  });

  it('should lease each due delivery to one process, and give it back on release', async () => {
    const [first, second] = await storesOn(freshDatabase(dialect), 2);
    await book(first!, 'b1', 1);
    await first!.fanOut(recording().route, 10, NOW);

    const claims = await Promise.all([
      first!.claimWebhookDeliveries(NOW, NOW + MINUTE, 10),
      second!.claimWebhookDeliveries(NOW, NOW + MINUTE, 10),
    ]);
    expect(claims.flat()).toHaveLength(1);
    const [claimed] = claims.flat();
    expect(await first!.claimWebhookDeliveries(NOW + 1, NOW + MINUTE, 10)).toEqual([]);
    await second!.releaseWebhookDelivery(claimed!.id, NOW + 2);
    expect((await first!.claimWebhookDeliveries(NOW + 2, NOW + MINUTE, 10)).map((each) => each.id)).toEqual([
      claimed!.id,
    ]);
    // A lease that ran out (its process crashed) is taken again.
    expect((await second!.claimWebhookDeliveries(NOW + MINUTE, NOW + 2 * MINUTE, 10)).map((each) => each.id)).toEqual([
      claimed!.id,
    ]);
    await second!.webhookAttempted(claimed!.id, { kind: 'delivered', status: 200 }, NOW + MINUTE);
    expect(await first!.claimWebhookDeliveries(NOW + 3 * MINUTE, NOW + 4 * MINUTE, 10)).toEqual([]);
    expect(await first!.oldestPendingWebhook()).toBeUndefined();
  });

  it('should not fan out the entries written before migration 0010', async () => {
    const { url, db } = await databaseAt(dialect, '0007-booking-search-keys');
    try {
      await db
        .insertInto('audit_entries')
        .values({ at: NOW, actor: 'telli', action: 'booking.created', calendar_id: 'cal', booking_id: 'old' })
        .execute();
    } finally {
      await db.destroy();
    }
    const [store] = await storesOn(url, 1);
    expect(await store!.fanOut(recording().route, 10, NOW)).toBe(0);
    expect((await store!.auditEntries({ limit: 10 })).entries).toHaveLength(1);
  });
});

describe("the fan-out's writes", () => {
  const sizes = [1, 2, 3, 10, 100];

  it.each([
    ['sqlite', new SqliteDialect({ database: {} as never })],
    ['postgres', new PostgresDialect({ pool: {} as never })],
  ])('should be one statement text on %s whatever the batch size', (_name, dialect) => {
    const { outbox } = storeQueries(dialect);
    const texts = sizes.map(
      (size) =>
        outbox.fannedOut(
          Array.from({ length: size }, (_, seq) => seq + 1),
          NOW,
        ).sql,
    );
    expect(new Set(texts).size).toBe(1);
  });

  it.runIf(DIALECTS.includes('postgres'))(
    'should leave PostgreSQL one prepared statement for each of its writes after batches of every size',
    async () => {
      const url = freshDatabase('postgres');
      const [store] = await storesOn(url, 1);
      for (let hour = 1; hour <= 1 + 2 + 4 + 8; hour++) await book(store!, `b${hour}`, hour);
      // One connection, so that every statement the fan-outs prepared is on it.
      const schema = new URL(url).searchParams.get('schema')!;
      const pool = new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path="${schema}"`, max: 1 });
      try {
        const runner = postgresRunner(pool, { committed: () => {} });
        const outbox = outboxStore(runner, storeQueries(new PostgresDialect({ pool })));
        // Each batch voids the reminders of as many bookings as it fans out.
        const booked = Array.from({ length: 15 }, (_, index) => `b${index + 1}`);
        for (const [at, size] of [
          [0, 1],
          [1, 2],
          [3, 4],
          [7, 8],
        ] as const) {
          expect(await outbox.fanOut(mailing(booked.slice(at, at + size)), size, NOW)).toBe(size);
        }

        const writes = [
          'update "audit_entries"',
          'insert into "webhook_deliveries"',
          'update "email_deliveries"',
          'insert into "email_deliveries"',
        ];
        const { rows } = await pool.query<{ statement: string }>('select statement from pg_prepared_statements');
        expect(writes.map((write) => rows.filter((row) => row.statement.startsWith(write)).length)).toEqual([
          1, 1, 1, 1,
        ]);
        expect(await outbox.fanOut(mailing(), 10, NOW)).toBe(0);
      } finally {
        await pool.end();
      }
    },
  );
});
