import addressparser from 'nodemailer/lib/addressparser';
import { isEmailAddress } from '../shared/email-address.js';
import { fail, type Path } from './config-error.js';
import type { RawEmail } from './config.schema.js';
import { DEFAULT_RETRY_SCHEDULE } from './config.defaults.js';
import type { EmailConfig, Mailbox } from './config.types.js';
import { parseDuration } from './duration.js';
import { readWait } from './webhooks.js';

/** The `email` section and `resources[].email`, checked and normalised. */

export function normaliseEmail(raw: RawEmail, path: Path): EmailConfig {
  return {
    smtpUrl: readSmtpUrl([...path, 'smtp_url'], raw.smtp_url),
    from: readMailbox([...path, 'from'], raw.from),
    toContact: raw.to_contact ?? true,
    toResource: raw.to_resource ?? true,
    remindBefore: readRemindBefore([...path, 'remind_before'], raw.remind_before),
    retrySchedule:
      raw.retry_schedule?.map((wait, at) => readWait(wait, [...path, 'retry_schedule', at])) ?? DEFAULT_RETRY_SCHEDULE,
  };
}

/** A staff member's address: bare, since the resource's name is the display name. */
export function readAddress(path: Path, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!isEmailAddress(raw)) fail(path, `${JSON.stringify(raw)} is not an e-mail address such as anna@example.com`);
  return raw;
}

const SMTP_PROTOCOLS = new Set(['smtp:', 'smtps:']);

/** The URL holds the password, so no message quotes it. */
function readSmtpUrl(path: Path, raw: string): string {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url && /^smtps?:\/\//.test(raw)) {
    // Most often a password with a character that ends the URL's user part early.
    fail(path, 'is not a valid URL: percent-encode / ? # @ : in the user name and password (/ as %2F)');
  }
  if (!url || !SMTP_PROTOCOLS.has(url.protocol) || url.hostname === '') {
    fail(path, 'must be an smtp:// or smtps:// URL such as smtp://user:${SMTP_PASSWORD}@mail.example.com:587');
  }
  return raw;
}

/** `termine@example.com` or `Praxis am Kanal <termine@example.com>`. */
function readMailbox(path: Path, raw: string): Mailbox {
  const parsed = addressparser(raw);
  const [mailbox] = parsed;
  if (parsed.length !== 1 || !mailbox || mailbox.group || !isEmailAddress(mailbox.address)) {
    fail(path, `${JSON.stringify(raw)} is not an address such as "Praxis am Kanal <termine@example.com>"`);
  }
  return mailbox.name ? { name: mailbox.name, address: mailbox.address } : { address: mailbox.address };
}

function readRemindBefore(path: Path, raw: number | string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = parseDuration(raw);
  if (ms === undefined) fail(path, `${JSON.stringify(raw)} is not a duration such as 90s, 30m, 2h or 14d`);
  if (ms <= 0) fail(path, 'must be more than 0');
  return ms;
}
