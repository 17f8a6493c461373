/**
 * What the outbox sends to, in the bench process: a webhook endpoint that answers 204 to every
 * POST, and an SMTP server that takes every mail; both count what they got and keep nothing.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface OutboxReceivers {
  readonly webhookUrl: string;
  /** `whsec_…`, as the config wants it. */
  readonly webhookSecret: string;
  readonly smtpUrl: string;
  readonly webhooks: () => number;
  readonly mails: () => number;
  close(): Promise<void>;
}

export async function startOutboxReceivers(): Promise<OutboxReceivers> {
  let webhooks = 0;
  let mails = 0;
  const http = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      webhooks += 1;
      response.writeHead(204).end();
    });
  });
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        mails += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(0, '127.0.0.1', () => resolve());
  });
  // A Slotline stopped mid-mail drops its SMTP connections; the server reports each as an error.
  smtp.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET') throw error;
  });
  return {
    webhookUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hooks`,
    webhookSecret: `whsec_${randomBytes(32).toString('base64')}`,
    smtpUrl: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    webhooks: () => webhooks,
    mails: () => mails,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
