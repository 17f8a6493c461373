import MailComposer from 'nodemailer/lib/mail-composer';
import nodemailer, { type NodemailerError, type SMTPSentMessageInfo, type Transporter } from 'nodemailer';
import type { Mail } from './mail-event.js';

export type MailTransport = Transporter<SMTPSentMessageInfo>;

/**
 * Bounds on each wait of one attempt, so that a silent server fails the attempt (and the outbox
 * retries it) instead of holding a worker for nodemailer's default of minutes.
 */
const TIMEOUT_MS = 15_000;

/** An SMTP transport from `email.smtp_url`: smtp:// upgrades with STARTTLS when offered, smtps:// is TLS. */
export function createMailTransport(smtpUrl: string): MailTransport {
  return nodemailer.createTransport({
    url: smtpUrl,
    // A few connections kept open and reused: the outbox sends mail after mail.
    pool: true,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
}

/**
 * A send that did not get the message accepted. Its message names the failing step and the
 * server's reply code only: the server's text may quote the recipient's address, and logs never
 * carry addresses.
 */
export class MailSendError extends Error {
  override readonly name = 'MailSendError';

  constructor(
    /** Nodemailer's code (EENVELOPE, EAUTH, ECONNECTION, ETIMEDOUT, ...). */
    readonly code: string,
    readonly responseCode: number | undefined,
    /** The server refused this message for good (5xx); retrying may still help after a config fix. */
    readonly permanent: boolean,
  ) {
    super(`sending the mail failed: ${code}${responseCode === undefined ? '' : ` (SMTP ${responseCode})`}`);
  }
}

/**
 * Sends one mail with its invite; resolves with the Message-ID once the server has accepted it, else
 * throws MailSendError. `id`, when given, makes the Message-ID, so that a mail sent twice (an
 * attempt cut off after the server took it) is one message to the recipient's mail client.
 *
 * The message is composed whole first (nodemailer's MailComposer) and handed over as one buffer:
 * streamed part by part, each of its lines was a socket write of its own, and a mail cost about
 * 770 µs of CPU against 640 µs now (bench/README.md, 2026-12-03, third session).
 */
export async function sendMail(transport: MailTransport, mail: Mail, id?: string): Promise<string> {
  const message = new MailComposer({
    ...(id !== undefined && { messageId: `<${id}@${mail.from.address.split('@')[1]}>` }),
    // A copy: nodemailer writes into address objects, and the config's are frozen.
    from: { name: mail.from.name ?? '', address: mail.from.address },
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    // A text/calendar part with its method, which mail clients show as an invitation, plus the .ics file.
    icalEvent: { method: mail.invite.method, filename: 'invite.ics', content: mail.invite.content },
  }).compile();
  let info: SMTPSentMessageInfo;
  try {
    info = await transport.sendMail({ envelope: message.getEnvelope(), raw: await message.build() });
  } catch (error) {
    const failure = error as NodemailerError;
    // Without a code it is no SMTP or network failure but a bug, which should surface as it is.
    if (failure.code === undefined) throw error;
    throw new MailSendError(failure.code, failure.responseCode, failure.permanent ?? false);
  }
  // One recipient per mail, so a refused recipient means a refused mail.
  if (info.rejected.length > 0) throw new MailSendError('EENVELOPE', undefined, true);
  return message.messageId();
}
