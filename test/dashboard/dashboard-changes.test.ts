import { mkdirSync } from 'node:fs';
import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appsOn, starts, type Running } from '../http/harness.js';
import { tomorrowInBerlin } from '../notify/email-app.js';
import { startSmtpReceiver } from '../notify/smtp-receiver.js';
import { newSecret, receivers, webhooksYaml } from '../webhooks/receiver.js';
import { ADMIN_YAML, ARTIFACTS, CALENDAR, KEY, launchChromium, newPage, NOW, signIn, YAML } from './browser.js';

// Moves, time off, webhook and e-mail deliveries through the dashboard in Chromium, checked against
// telli's /available.
const WITHIN = { timeout: 10_000, interval: 50 };

/** `HH:MM` in Berlin of a December instant (UTC+1). */
const berlin = (iso: string) => new Date(Date.parse(iso) + 3_600_000).toISOString().slice(11, 16);

describe('changes through the dashboard in Chromium', () => {
  const start = appsOn('sqlite');
  const receiver = receivers();
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A signed-in page in a fresh browser context whose clock is in New York; it records console errors. */
  async function signedIn(app: Running): Promise<{ page: Page; errors: string[] }> {
    const opened = await newPage(browser);
    await signIn(opened.page, app.url);
    return opened;
  }

  async function book(app: Running, contactId: string, name: string, startIso: string) {
    const answer = await app.post('/book', { contact_id: contactId, contact_details: { name }, start_iso: startIso });
    expect(answer.body).toEqual({ status: 'success' });
  }

  const available = async (app: Running) => starts(await app.post('/available', {}));

  it('should move a booking to a free slot: at its new time in the day view and in /available', async () => {
    const app = await start({ yaml: YAML, now: NOW, signWith: KEY });
    const old = '2026-12-02T09:30:00.000Z';
    // Ada on Lena and Bob on Max at 10:30; Cleo on Lena at the target, so Max alone still has it.
    const target = (await available(app)).filter((slot) => slot.startsWith('2026-12-02T1')).at(-1)!;
    await book(app, 'c_ada', 'Ada Lovelace', old);
    await book(app, 'c_bob', 'Bob Builder', old);
    await book(app, 'c_cleo', 'Cleo Park', target);
    expect(await available(app)).not.toContain(old);
    expect(await available(app)).toContain(target);
    const { page, errors } = await signedIn(app);

    await page.goto(`${app.url}/admin/calendars/physio?date=2026-12-02`);
    await page.getByRole('link', { name: '10:30 Bob Builder' }).click();
    await page.getByRole('button', { name: 'Move booking' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Move the booking of Bob Builder',
    );
    // Lena is taken at the target; Max is free there.
    const lena = page.getByRole('group', { name: 'Lena Berg' });
    const max = page.getByRole('group', { name: 'Max Ullrich' });
    expect(await lena.getByRole('radio', { name: berlin(target) }).count()).toBe(0);
    await max.getByRole('radio', { name: berlin(target) }).check();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-move.png`, fullPage: true });
    await page.getByRole('button', { name: 'Move to this slot' }).click();

    await expect(page.getByRole('status').textContent()).resolves.toBe('The booking is moved.');
    const history = await page.getByRole('row').allTextContents();
    expect(history.some((row) => row.includes('front-desk') && row.includes('Moved'))).toBe(true);
    expect(await available(app)).toContain(old);
    expect(await available(app)).not.toContain(target);

    await page.getByRole('link', { name: 'Show its day' }).click();
    await expect(page.getByRole('link', { name: /Bob Builder/ }).textContent()).resolves.toBe(
      `${berlin(target)} Bob Builder`,
    );
    const maxColumn = (await page.getByRole('columnheader', { name: /Max Ullrich/ }).boundingBox())!;
    const bob = (await page.getByRole('link', { name: /Bob Builder/ }).boundingBox())!;
    expect(bob.x).toBeGreaterThanOrEqual(maxColumn.x);
    expect(bob.x + bob.width).toBeLessThanOrEqual(maxColumn.x + maxColumn.width);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('should refuse a move onto another booking with why and the nearest free times, and force one outside hours', async () => {
    const app = await start({ yaml: YAML, now: NOW, signWith: KEY });
    await book(app, 'c_ada', 'Ada Lovelace', '2026-12-02T09:30:00.000Z');
    await book(app, 'c_dan', 'Dan Wu', '2026-12-02T11:00:00.000Z');
    const { page } = await signedIn(app);
    await page.goto(`${app.url}/admin/calendars/physio?date=2026-12-02`);
    await page.getByRole('link', { name: '12:00 Dan Wu' }).click();
    await page.getByRole('button', { name: 'Move booking' }).click();

    await page.getByLabel('Resource').selectOption({ label: 'Lena Berg' });
    await page.getByLabel('New time').fill('10:30');
    await page.getByRole('checkbox', { name: 'Force' }).check();
    await page.getByRole('button', { name: 'Move to this time' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'That time is taken by another booking or time off.',
    );
    const nearby = page.getByRole('region', { name: 'Free times nearby' });
    expect(await nearby.getByRole('radio').count()).toBeGreaterThan(0);

    await page.getByLabel('New time').fill('18:00');
    await page.getByRole('button', { name: 'Move to this time' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe('The booking is moved.');
    await page.getByRole('link', { name: 'Show its day' }).click();
    await expect(page.getByRole('link', { name: /Dan Wu/ }).textContent()).resolves.toBe('18:00 Dan Wu outside hours');
    await page.context().close();
  });

  it('should add time off over a booking, list the conflict, block the day view and /available, and remove it', async () => {
    const app = await start({ yaml: YAML, now: NOW, signWith: KEY });
    await book(app, 'c_dan', 'Dan Wu', '2026-12-03T09:30:00.000Z');
    // The free starts from 10:00 to 12:00 in Berlin that day.
    const inRange = (slot: string) => slot >= '2026-12-03T09:00:00.000Z' && slot < '2026-12-03T11:00:00.000Z';
    const before = (await available(app)).filter(inRange);
    expect(before.length).toBeGreaterThan(0);
    const { page, errors } = await signedIn(app);

    await page.goto(`${app.url}/admin/calendars/physio?date=2026-12-03`);
    await page.getByRole('link', { name: 'Add time off' }).click();
    await page.getByLabel('Resource').selectOption({ label: 'Whole calendar' });
    await page.getByLabel('Start date').fill('2026-12-03');
    await page.getByLabel('Start time').fill('10:00');
    await page.getByLabel('End date').fill('2026-12-03');
    await page.getByLabel('End time').fill('12:00');
    await page.getByLabel('Note (optional)').fill('Team training');
    await page.getByRole('button', { name: 'Add time off' }).click();

    await expect(page.getByRole('status').innerText()).resolves.toBe(
      'Time off added: Whole calendar, 2026-12-03 10:00 – 2026-12-03 12:00.',
    );
    await page.getByRole('link', { name: '2026-12-03 10:30 Dan Wu' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Booking of Dan Wu');
    expect((await available(app)).filter(inRange)).toEqual([]);

    await page.goto(`${app.url}/admin/calendars/physio?date=2026-12-03`);
    await expect(page.getByRole('link', { name: /Dan Wu/ }).textContent()).resolves.toBe('10:30 Dan Wu on time off');
    // Blocked on both resource columns, from 10:00 to 12:00.
    const blocks = page.locator('.ec-bg-event.time-off');
    expect(await blocks.count()).toBe(2);
    const open = (await page.locator('.ec-bg-event.open-hours').first().boundingBox())!;
    const block = (await blocks.first().boundingBox())!;
    expect(Math.abs(block.y - (open.y + open.height / 8))).toBeLessThan(2);
    expect(Math.abs(block.height - (open.height * 2) / 8)).toBeLessThan(2);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-time-off.png`, fullPage: true });

    await page.getByRole('link', { name: 'Bookings' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Dan Wu' });
    await expect(row.textContent()).resolves.toContain('on time off');

    await page.goto(`${app.url}/admin/calendars/physio?date=2026-12-03`);
    await page.getByRole('row').filter({ hasText: 'Team training' }).getByRole('button', { name: 'Remove' }).click();
    await page.waitForURL(/date=2026-12-03/);
    await expect(page.getByText('No time off on these dates.').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: /Dan Wu/ }).textContent()).resolves.toBe('10:30 Dan Wu');
    expect((await available(app)).filter(inRange)).toEqual(before);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('should list a failed webhook delivery and send it again on Retry', async () => {
    const secret = newSecret();
    let answer = 500;
    const hook = await receiver(secret, () => ({ status: answer }));
    const hooks = webhooksYaml([{ url: hook.url, secret, retry_schedule: '[50ms]' }]);
    const app = await start({
      yaml: `${ADMIN_YAML}signing_keys: ["${KEY}"]\n${hooks}${CALENDAR}`,
      now: NOW,
      signWith: KEY,
    });
    app.app.outbox.start();
    await book(app, 'c_eve', 'Eve Ng', '2026-12-02T09:30:00.000Z');
    await vi.waitFor(async () => {
      expect((await app.store.webhookDeliveries({ status: 'failed', limit: 10 })).deliveries).toHaveLength(1);
    }, WITHIN);
    const { page, errors } = await signedIn(app);

    await page.getByRole('link', { name: 'Webhooks' }).click();
    const failed = page.getByRole('row').filter({ hasText: 'booking.created' });
    await expect(failed.textContent()).resolves.toContain(new URL(hook.url).host);
    await expect(failed.textContent()).resolves.toContain('500');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-webhooks.png`, fullPage: true });

    answer = 200;
    await failed.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe(
      'The delivery is pending again; it is sent within a second.',
    );
    await vi.waitFor(async () => {
      expect((await app.store.webhookDeliveries({ status: 'delivered', limit: 10 })).deliveries).toHaveLength(1);
    }, WITHIN);
    expect(new Set(hook.received.map((request) => request.id)).size).toBe(1);
    await page.reload();
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('should list a mail the server refused and send it again on Retry', async () => {
    const smtp = await startSmtpReceiver();
    smtp.refuseNext.push(550);
    const email = `email:\n  smtp_url: ${smtp.url}\n  from: "Physio <termine@example.com>"\n  to_resource: false\n  remind_before: 3h\n`;
    // On today's date: the reminder must wait by the real clock, which the outbox reads.
    const now = Date.now();
    const startIso = tomorrowInBerlin(now, '10:30');
    const app = await start({
      yaml: `${ADMIN_YAML}signing_keys: ["${KEY}"]\n${email}${CALENDAR}`,
      now,
      signWith: KEY,
    });
    try {
      app.app.outbox.start();
      const details = { name: 'Eve Ng', email: 'eve@example.org' };
      const answer = await app.post('/book', {
        contact_id: 'c_eve',
        contact_details: details,
        start_iso: startIso,
      });
      expect(answer.body).toEqual({ status: 'success' });
      await vi.waitFor(async () => {
        expect((await app.store.emailDeliveries({ status: 'failed', limit: 10 })).deliveries).toHaveLength(1);
      }, WITHIN);
      const { page, errors } = await signedIn(app);

      await page.getByRole('link', { name: 'E-mail' }).click();
      const failed = page.getByRole('row').filter({ hasText: 'booking.created' });
      await expect(failed.textContent()).resolves.toContain('Caller');
      await expect(failed.textContent()).resolves.toContain('550');
      const reminder = page.getByRole('row').filter({ hasText: 'booking.reminder' });
      // Due three hours before 10:30 in Berlin; the page shows the calendar's time, whatever the browser's zone.
      const due = DateTime.fromISO(startIso, { zone: 'Europe/Berlin' }).minus({ hours: 3 });
      await expect(reminder.textContent()).resolves.toContain(due.toFormat('yyyy-MM-dd HH:mm'));
      expect(await page.content()).not.toContain('eve@example.org');
      await page.screenshot({ path: `${ARTIFACTS}/dashboard-email.png`, fullPage: true });

      await failed.getByRole('button', { name: 'Retry' }).click();
      await expect(page.getByRole('status').textContent()).resolves.toBe(
        'The mail is pending again; it is sent within a second.',
      );
      await vi.waitFor(() => expect(smtp.received).toHaveLength(1), WITHIN);
      await page.reload();
      expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
      await page.getByRole('link', { name: /^[0-9a-f-]{36}$/ }).click();
      await page.waitForURL(/\/admin\/bookings\//);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Eve Ng');
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await app.app.outbox.stop();
      await smtp.close();
    }
  });
});
