import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless; never a downloaded browser. `.ci/run` installs it when missing. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export const TOKEN = 'front-desk-token-0123456789abcdef';
export const ADMIN_YAML = `admin:\n  tokens:\n    - { name: front-desk, token: "${TOKEN}" }\n`;

// Tuesday 1 December 2026, 07:00 in Berlin. The browser runs in New York, six hours behind.
export const NOW = Date.parse('2026-12-01T06:00:00Z');
export const KEY = 'telli-signing-key-for-the-dashboard';
/** Where the tests leave their screenshots. */
export const ARTIFACTS = 'test-artifacts';
export const CALENDAR = `calendars:
  - id: physio
    name: Physio
    timezone: Europe/Berlin
    duration: 45m
    assignment: ordered
    horizon: 7d
    max_slots: 1000
    hours: { mon-sun: ["09:00-17:00"] }
    resources:
      - { id: lena, name: Lena Berg }
      - { id: max, name: Max Ullrich }
`;
/** The dashboard's config: the admin token, telli's signing key, the physio calendar. */
export const YAML = `${ADMIN_YAML}signing_keys: ["${KEY}"]\n${CALENDAR}`;

/** A page in a fresh browser context whose clock is in New York; it records console errors. */
export async function newPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ timezoneId: 'America/New_York', viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

/** Signs in with the front desk's token, landing on the calendar. */
export async function signIn(page: Page, appUrl: string): Promise<void> {
  await page.goto(`${appUrl}/admin/sign-in`);
  await page.getByLabel('Token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/admin\/calendars\/physio/);
}
