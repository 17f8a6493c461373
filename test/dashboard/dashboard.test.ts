import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestDatabases } from '../dialects.js';
import { start, starts, type Running } from '../http/harness.js';
import { ARTIFACTS, KEY, launchChromium, newPage, NOW, signIn, TOKEN, YAML } from './browser.js';

describe('the dashboard in Chromium', () => {
  let app: Running;
  let browser: Browser;

  beforeAll(async () => {
    app = await start({ yaml: YAML, now: NOW, signWith: KEY });
    browser = await launchChromium();
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await app?.close();
      await dropTestDatabases();
    }
  });

  async function book(contactId: string, name: string, startIso: string, details: Record<string, string> = {}) {
    const answer = await app.post('/book', {
      contact_id: contactId,
      contact_details: { name, ...details },
      start_iso: startIso,
    });
    expect(answer.body).toEqual({ status: 'success' });
  }

  it('should send a signed-out user to the sign-in page', async () => {
    const { page } = await newPage(browser);
    for (const path of ['/admin', '/admin/calendars/physio?date=2026-12-02', '/admin/bookings']) {
      await page.goto(app.url + path);
      expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
      await expect(page.getByLabel('Token').isVisible()).resolves.toBe(true);
    }
    await page.context().close();
  });

  it('should refuse a wrong token with a 401 and an error, and set no session', async () => {
    const { page } = await newPage(browser);
    await page.goto(`${app.url}/admin/sign-in`);
    await page.getByLabel('Token').fill('not-the-token-0123456789abcdef');
    const [answer] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);

    expect(answer.status()).toBe(401);
    await expect(page.getByRole('alert').textContent()).resolves.toBe('That token is not valid.');
    const cookies = await page.context().cookies();
    expect(cookies.map((cookie) => cookie.name)).not.toContain('slotline_session');
    await page.goto(`${app.url}/admin/bookings`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await page.context().close();
  });

  it('should sign in with a strict HttpOnly session cookie, and sign out', async () => {
    const { page } = await newPage(browser);
    await signIn(page, app.url);

    const session = (await page.context().cookies()).find((cookie) => cookie.name === 'slotline_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false, path: '/admin' });
    // Valid 12 hours from now (the browser's clock is the real one, the cookie's lifetime relative).
    expect(session!.expires * 1000 - Date.now()).toBeGreaterThan(11.9 * 3_600_000);
    expect(session!.expires * 1000 - Date.now()).toBeLessThanOrEqual(12 * 3_600_000);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/sign-in$/);
    await page.goto(`${app.url}/admin/bookings`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await page.context().close();
  });

  it('should show a telli booking on its day, in its resource column, at its local time', async () => {
    // 10:30 in Berlin: the first goes to Lena (assignment: ordered), the second to Max.
    await book('c_ada', 'Ada Lovelace', '2026-12-02T09:30:00.000Z');
    await book('c_bob', 'Bob <b>Builder</b>', '2026-12-02T09:30:00.000Z');
    const { page, errors } = await newPage(browser);
    await signIn(page, app.url);

    // Today is 1 December in Berlin; the next day holds the bookings.
    const [dayAnswer] = await Promise.all([
      page.waitForResponse((response) => response.url().includes('date=2026-12-02')),
      page.getByRole('link', { name: 'Next day' }).click(),
    ]);
    const csp = dayAnswer.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");

    const ada = page.getByRole('link', { name: /Ada Lovelace/ });
    const bob = page.getByRole('link', { name: /Bob <b>Builder<\/b>/ });
    await expect(ada.textContent()).resolves.toBe('10:30 Ada Lovelace');
    await expect(bob.textContent()).resolves.toBe('10:30 Bob <b>Builder</b>');
    expect(await page.locator('b').count()).toBe(0);

    // In the column of its resource.
    const lena = (await page.getByRole('columnheader', { name: /Lena Berg/ }).boundingBox())!;
    const max = (await page.getByRole('columnheader', { name: /Max Ullrich/ }).boundingBox())!;
    const adaBox = (await ada.boundingBox())!;
    const bobBox = (await bob.boundingBox())!;
    expect(adaBox.x).toBeGreaterThanOrEqual(lena.x);
    expect(adaBox.x + adaBox.width).toBeLessThanOrEqual(lena.x + lena.width);
    expect(bobBox.x).toBeGreaterThanOrEqual(max.x);
    expect(bobBox.x + bobBox.width).toBeLessThanOrEqual(max.x + max.width);

    // At 10:30 on the grid: the open hours 09:00-17:00 are shaded, so 10:30 is 1.5/8 down them.
    const open = (await page.locator('.ec-bg-event.open-hours').first().boundingBox())!;
    const block = (await page.locator('.ec-event.booking').first().boundingBox())!;
    expect(Math.abs(block.y - (open.y + (open.height * 1.5) / 8))).toBeLessThan(2);
    // 45 minutes long.
    expect(Math.abs(block.height - (open.height * 0.75) / 8)).toBeLessThan(2);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-day.png`, fullPage: true });

    // The week view shows them too, and the date picker opens any day.
    await page.getByRole('link', { name: 'Week' }).click();
    await page.waitForURL(/view=week/);
    await expect(page.getByRole('link', { name: /Ada Lovelace/ }).textContent()).resolves.toBe('10:30 Ada Lovelace');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-week.png`, fullPage: true });
    await page.getByLabel('Date').fill('2026-12-09');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/date=2026-12-09/);
    expect(await page.getByRole('link', { name: /Ada Lovelace/ }).count()).toBe(0);

    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('should cancel a booking through its page and give its slot back to /available', async () => {
    const slot = '2026-12-03T09:30:00.000Z';
    await book('c_cleo', 'Cleo Park', slot);
    await book('c_dan', 'Dan Wu', slot);
    expect(starts(await app.post('/available', {}))).not.toContain(slot);
    const { page, errors } = await newPage(browser);
    await signIn(page, app.url);
    await page.goto(`${app.url}/admin/calendars/physio?date=2026-12-03`);

    await page.getByRole('link', { name: /10:30 Cleo Park/ }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Booking of Cleo Park');
    await page.getByRole('button', { name: 'Cancel booking' }).click();
    await page.getByLabel('Reason (optional)').fill('Called in sick');
    await page.getByRole('button', { name: 'Confirm cancellation' }).click();

    await expect(page.getByRole('status').textContent()).resolves.toBe('The booking is cancelled.');
    const history = await page.getByRole('row').allTextContents();
    expect(history.some((row) => row.includes('front-desk') && row.includes('Cancelled'))).toBe(true);
    expect(await page.getByRole('button', { name: 'Cancel booking' }).count()).toBe(0);
    expect(starts(await app.post('/available', {}))).toContain(slot);

    await page.getByRole('link', { name: 'Show its day' }).click();
    await page.waitForURL(/date=2026-12-03/);
    expect(await page.getByRole('link', { name: /Cleo Park/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /10:30 Dan Wu/ }).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('should find bookings in the list by name or phone number, and filter them by status', async () => {
    await book('c_eve', 'Eve Lovelace', '2026-12-04T10:15:00.000Z', { phone: '+49 170 1234567' });
    await book('c_gus', 'Gus Lovelace', '2026-12-04T11:00:00.000Z');
    await book('c_fay', 'Fay Ng', '2026-12-04T11:45:00.000Z');
    const fay = (await app.store.bookings('physio')).find((booking) => booking.contactId === 'c_fay')!;
    const cancelled = await fetch(`${app.url}/api/v1/bookings/${fay.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(cancelled.status).toBe(200);
    const { page } = await newPage(browser);
    await signIn(page, app.url);
    await page.getByRole('link', { name: 'Bookings' }).click();

    const search = async (q: string, status = 'Active') => {
      await page.getByLabel('Search').fill(q);
      await page.getByLabel('Status').selectOption({ label: status });
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForLoadState();
      return page.locator('tbody').getByRole('link').allTextContents();
    };
    expect(await search('lovelace')).toEqual(expect.arrayContaining(['Eve Lovelace', 'Gus Lovelace']));
    expect(await search('lovelace')).not.toContain('Fay Ng');
    expect(await search('0170 123 45 67')).toEqual(['Eve Lovelace']);
    expect(await search('fay', 'Active')).toEqual([]);
    expect(await search('fay', 'Cancelled')).toEqual(['Fay Ng']);
    expect(await search('fay', 'All')).toEqual(['Fay Ng']);
    expect(await search('nobody')).toEqual([]);
    await expect(page.getByText('No bookings found.').isVisible()).resolves.toBe(true);
    await page.context().close();
  });
});
