import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCalendar } from 'tsdav';

/**
 * A real Radicale (Debian's python3-radicale) for tests. The `python3` on PATH may be another
 * install that cannot import it, so the interpreter is fixed (override: RADICALE_PYTHON).
 */
const PYTHON = process.env['RADICALE_PYTHON'] ?? '/usr/bin/python3';
const START_TIMEOUT_MS = 15_000;

export interface Radicale {
  /** The server root, with a trailing slash. */
  readonly url: string;
  /** The URL of a calendar collection, with a trailing slash. */
  calendarUrl(user: string, name: string): string;
  /** Creates another calendar collection of the test user; resolves to its URL. */
  makeCalendar(name: string): Promise<string>;
  readonly username: string;
  readonly password: string;
  /** Kills the server and removes its storage; safe to call twice. */
  stop(): Promise<void>;
}

export interface RadicaleOptions {
  readonly username?: string;
  readonly password?: string;
  /** Calendar collections created for the user up front. */
  readonly calendars?: readonly string[];
}

/** Starts Radicale on a free 127.0.0.1 port with htpasswd (plain) auth and owner-only rights. */
export async function startRadicale(options: RadicaleOptions = {}): Promise<Radicale> {
  assertRadicaleInstalled();
  const username = options.username ?? 'alice';
  const password = options.password ?? 'correct horse battery staple';
  const folder = await mkdtemp(join(tmpdir(), 'slotline-radicale-'));
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (child) await terminate(child);
      await rm(folder, { recursive: true, force: true });
    })());

  try {
    await writeFile(join(folder, 'users'), `${username}:${password}\n`);
    await writeFile(join(folder, 'config'), config(folder));
    child = spawn(PYTHON, ['-m', 'radicale', '--config', join(folder, 'config')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const port = await listeningPort(child);
    const url = `http://127.0.0.1:${port}/`;
    const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    await waitUntilAnswering(url);

    const calendarUrl = (user: string, name: string) =>
      `${url}${encodeURIComponent(user)}/${encodeURIComponent(name)}/`;
    const create = async (name: string) => {
      const target = calendarUrl(username, name);
      const [response] = await makeCalendar({
        url: target,
        props: { 'd:displayname': name },
        headers: { authorization: auth },
        fetchOptions: { signal: AbortSignal.timeout(5_000) },
      });
      if (!response?.ok) throw new Error(`MKCALENDAR ${target} answered ${response?.status} ${response?.statusText}`);
      return target;
    };
    for (const name of options.calendars ?? ['calendar']) await create(name);

    return { url, calendarUrl, makeCalendar: create, username, password, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function assertRadicaleInstalled(): void {
  const hint =
    `Radicale is needed for these tests: \`${PYTHON} -m radicale\` must run ` +
    '(Debian/Ubuntu: apt-get install radicale; or set RADICALE_PYTHON to a python that has it).';
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} does not exist. ${hint}`);
  const probe = spawnSync(PYTHON, ['-c', 'import radicale'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0) {
    const reason = probe.error?.message ?? probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`;
    throw new Error(`${PYTHON} cannot import radicale (${reason}). ${hint}`);
  }
}

function config(folder: string): string {
  return `[server]
hosts = 127.0.0.1:0

[auth]
type = htpasswd
htpasswd_filename = ${join(folder, 'users')}
htpasswd_encryption = plain
# no random 0.5-1.5 s sleep after a failed login
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = ${join(folder, 'collections')}

[web]
type = none

[logging]
# info: for the "Listening on" line that tells the port picked by the OS
level = info
`;
}

/** Reads Radicale's log until it says which port it bound; rejects with the log if it exits first. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const tail: string[] = [];
    let buffered = '';
    let port: number | undefined;
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`Radicale did not start: ${why}\n${tail.join('\n')}`));
    };
    const timer = setTimeout(() => fail(`no "Listening on" within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => {
      if (port === undefined) fail(`it exited (${signal ?? `code ${code}`})`);
    });
    // Keep draining the log after startup so the pipe never fills; keep a short tail for errors.
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        const match = port === undefined ? /Listening on '\[?127\.0\.0\.1\]?:(\d+)'/.exec(line) : null;
        if (match?.[1]) {
          port = Number(match[1]);
          clearTimeout(timer);
          resolve(port);
        }
      }
    });
  });
}

async function waitUntilAnswering(url: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      await fetch(url, { method: 'OPTIONS', signal: AbortSignal.timeout(1_000) });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Radicale at ${url} does not answer`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
