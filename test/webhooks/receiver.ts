import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach } from 'vitest';

/** One request a receiver got, with the attempt number of its `webhook-id` (1 for the first). */
export interface Received {
  readonly id: string;
  readonly attempt: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The receiver's clock when it arrived. */
  readonly at: number;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** The events it got, verified with the `standardwebhooks` package (a bad signature throws). */
  events(): any[];
  close(): Promise<void>;
}

/** A fresh Standard Webhooks secret. */
export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * Starts real HTTP receivers on loopback ports the OS picks, answering with `answer` (200 unless
 * told; undefined: no answer, the request hangs until the sender gives up); every receiver started
 * closes after the test.
 */
export function receivers(): (secret: string, answer?: (request: Received) => Answer | undefined) => Promise<Receiver> {
  const open: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((receiver) => receiver.close()));
  });
  return async (secret, answer = () => ({ status: 200 })) => {
    const received: Received[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const id = String(request.headers['webhook-id']);
        const got: Received = {
          id,
          attempt: received.filter((each) => each.id === id).length + 1,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
          at: Date.now(),
        };
        received.push(got);
        const reply = answer(got);
        if (reply) response.writeHead(reply.status, reply.headers).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const verifier = new Webhook(secret);
    const receiver: Receiver = {
      url: `http://127.0.0.1:${port}/hooks/slotline`,
      received,
      events: () => received.map((request) => verifier.verify(request.body, request.headers as Record<string, string>)),
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
    open.push(receiver);
    return receiver;
  };
}

/** `webhooks:` YAML for the endpoints given, each a mapping of its keys. */
export function webhooksYaml(endpoints: readonly Record<string, string>[]): string {
  return `webhooks:\n${endpoints
    .map((endpoint) =>
      Object.entries(endpoint)
        .map(([key, value], index) => `${index === 0 ? '  - ' : '    '}${key}: ${value}`)
        .join('\n'),
    )
    .join('\n')}\n`;
}
