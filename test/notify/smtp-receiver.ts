import { createServer, type AddressInfo, type Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** A real SMTP server on a free port that keeps what it accepts, parsed, for tests to read back. */

export const SMTP_USER = 'termine';
export const SMTP_PASSWORD = 'secret-p4ss';

export interface ReceivedMail {
  /** The envelope's recipients (RCPT TO). */
  readonly rcptTo: readonly string[];
  readonly mail: ParsedMail;
}

export interface SmtpReceiver {
  /** smtp://user:password@127.0.0.1:port */
  readonly url: string;
  readonly received: ReceivedMail[];
  /** Refuses the next RCPT TO commands, one per entry, with that reply code (550 for good, 451 for now). */
  readonly refuseNext: number[];
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const received: ReceivedMail[] = [];
  const refuseNext: number[] = [];
  const server = new SMTPServer({
    // Plain SMTP with AUTH on loopback: STARTTLS would need a certificate and tests nothing of ours.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onRcptTo(_address: SMTPServerAddress, _session, callback) {
      const code = refuseNext.shift();
      if (code === undefined) return callback();
      callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({ rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address), mail });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`,
    received,
    refuseNext,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface SilentSmtp {
  /** smtp://127.0.0.1:port */
  readonly url: string;
  /** Connections it took so far. */
  connections(): number;
  /** Drops its connections (their mails fail at once) and stops listening. */
  close(): Promise<void>;
}

/** A server that takes connections and never greets: each mail's attempt waits out its timeout. */
export async function startSilentSmtp(): Promise<SilentSmtp> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
