import { createHash } from 'node:crypto';
import { fail, formatPath, type Path } from './config-error.js';
import type { RawCalendar, RawWebhook } from './config.schema.js';
import { DEFAULT_RETRY_SCHEDULE } from './config.defaults.js';
import { WEBHOOK_EVENTS, type WebhookConfig, type WebhookEvent } from './config.types.js';
import { parseDuration } from './duration.js';

/** Standard Webhooks' secrets are 24 to 64 random bytes. */
const SECRET_BYTES = { min: 24, max: 64 };
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `webhooks:` checked against the calendars, with defaults filled in. Messages never quote a secret. */
export function normaliseWebhooks(
  raw: readonly RawWebhook[],
  calendars: readonly RawCalendar[],
  listPath: Path,
): WebhookConfig[] {
  const calendarIds = new Set(calendars.map((calendar) => calendar.id));
  const firstIndex = new Map<string, number>();
  return raw.map((webhook, index) => {
    const path = [...listPath, index];
    const url = readUrl(webhook.url, [...path, 'url']);
    const first = firstIndex.get(url);
    if (first !== undefined) fail([...path, 'url'], `is already the url of ${formatPath([...listPath, first])}`);
    firstIndex.set(url, index);
    return {
      key: createHash('sha256').update(url).digest('hex').slice(0, 12),
      url,
      secret: readSecret(webhook.secret, [...path, 'secret']),
      events: new Set(webhook.events?.map((event, at) => readEvent(event, [...path, 'events', at])) ?? WEBHOOK_EVENTS),
      calendars:
        webhook.calendars &&
        new Set(
          webhook.calendars.map((id, at) => {
            if (!calendarIds.has(id)) fail([...path, 'calendars', at], `"${id}" is not the id of a calendar`);
            return id;
          }),
        ),
      retrySchedule:
        webhook.retry_schedule?.map((wait, at) => readWait(wait, [...path, 'retry_schedule', at])) ??
        DEFAULT_RETRY_SCHEDULE,
    };
  });
}

function readUrl(raw: string, path: Path): string {
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) fail(path, 'must be an http:// or https:// URL');
  return raw;
}

function readSecret(raw: string, path: Path): string {
  if (!raw.startsWith('whsec_')) fail(path, 'must be whsec_ followed by base64, as Standard Webhooks defines it');
  const encoded = raw.slice('whsec_'.length);
  const bytes = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (bytes.length < SECRET_BYTES.min || bytes.length > SECRET_BYTES.max) {
    fail(
      path,
      `must be whsec_ followed by ${SECRET_BYTES.min} to ${SECRET_BYTES.max} random bytes in base64 ` +
        '(e.g. whsec_$(openssl rand -base64 32))',
    );
  }
  return encoded;
}

function readEvent(raw: string, path: Path): WebhookEvent {
  const event = WEBHOOK_EVENTS.find((known) => known === raw);
  if (!event) fail(path, `"${raw}" is not an event; the events are ${WEBHOOK_EVENTS.join(', ')}`);
  return event;
}

/** One wait of a retry schedule. */
export function readWait(raw: number | string, path: Path): number {
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) fail(path, `${JSON.stringify(raw)} is not a duration such as 500ms, 5s, 30m or 2h`);
  return ms;
}
