import { DateTime } from 'luxon';
import { ADMIN } from '../http/api-client.js';

/** What the e-mail tests share: a Tuesday morning in Berlin, the caller, the staff member, and the config. */
export const NOW = Date.parse('2026-12-01T06:00:00Z');
export const NINE = '2026-12-02T09:00:00.000Z';
export const CALLER = 'ada@example.org';
export const STAFF = 'anna@example.com';
/**
 * `time` (HH:MM) in Berlin on the day after `instant`'s there, as an ISO instant. The app's own
 * outbox worker reads the real clock, so a reminder that must still wait for its time belongs to a
 * booking ahead of the real clock, whatever the date: a fixed date passes (NINE's reminder fell due
 * on 2 December 2026 at 06:00 UTC). A morning booking of the next day is at least seven hours ahead.
 */
export function tomorrowInBerlin(instant: number, time: string): string {
  const [hour, minute] = time.split(':').map(Number);
  return DateTime.fromMillis(instant, { zone: 'Europe/Berlin' })
    .plus({ days: 1 })
    .set({ hour, minute, second: 0, millisecond: 0 })
    .toUTC()
    .toISO()!;
}

/** Long enough for the slowest machine, and never waited out when things work. */
export const WITHIN = { timeout: 20_000, interval: 50 };

/** A config with `admin`, `email` sending through `smtpUrl` (plus `more` of the section) and one calendar. */
export const emailYaml = (smtpUrl: string, more = '') => `${ADMIN}email:
  smtp_url: ${smtpUrl}
  from: "Praxis am Kanal <termine@example.com>"
  retry_schedule: [50ms, 50ms]
${more}calendars:
  - id: physio
    name: Praxis am Kanal
    timezone: Europe/Berlin
    duration: 30m
    hours: { mon-sun: ["10:00-17:00"] }
    resources:
      - { id: anna, name: Anna Berg, email: ${STAFF} }
`;
