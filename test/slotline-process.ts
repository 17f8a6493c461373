import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The real executable, built into dist/ by `npm run build`. */
export const BIN = join(import.meta.dirname, '../bin/slotline');

/**
 * A test that starts real processes may take this long: on a loaded 2-core machine a start alone
 * can take seconds. Such files set it with `vi.setConfig` as their test and hook timeout.
 */
export const PROCESS_TEST_TIMEOUT_MS = 60_000;

/** Gives up on a process that has not said it is ready by then, well within the test's timeout. */
const READY_WITHIN_MS = 30_000;
/** The lines of output kept for failure messages. */
const KEPT_LINES = 200;

export interface SlotlineProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** The last lines it wrote to stdout and stderr, for failure messages. */
  output(): string;
  /** Its JSON log lines so far (of the kept ones). */
  logs(): Record<string, unknown>[];
  /**
   * The first JSON log line written from now on that `matches`; rejects if the process exits
   * first. Ask before doing what should log it.
   */
  nextLog(matches: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  /** SIGKILL, as `kill -9` does; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it lingers; resolves to the exit code once it is gone (null if killed). */
  stop(): Promise<number | null>;
}

export interface ServeOptions {
  /** Environment on top of this process's; LOG_LEVEL must stay info or finer for the ready line. */
  readonly env?: Record<string, string>;
  /**
   * The test's `signal` from its context: a test that times out goes on running in the
   * background, and this kills its process at once, and any it would start later.
   */
  readonly signal?: AbortSignal;
}

const running = new Set<ChildProcess>();
// A worker that exits without running the hooks must not leave servers behind.
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

const gone = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/**
 * `slotline serve ARGS` on a loopback port the OS picks, resolved once it logs "slotline ready"
 * with its address. Rejects, with the process gone, when it exits, is aborted or stays silent
 * too long. Every process started here ends with `stopAll`, which each file runs in a hook.
 */
export async function serve(args: readonly string[], options: ServeOptions = {}): Promise<SlotlineProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: options.signal,
    killSignal: 'SIGKILL',
  });
  running.add(child);
  child.once('exit', () => running.delete(child));

  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
  };
  const output = () => lines.join('\n');
  const waiters = new Set<(entry: Record<string, unknown>) => void>();
  const logs = () =>
    lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);

  const address = await new Promise<string>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`slotline did not become ready: ${why}\n${output()}`));
    };
    const timer = setTimeout(() => fail(`no "slotline ready" within ${READY_WITHIN_MS} ms`), READY_WITHIN_MS);
    // An aborted signal kills the child and reports it here.
    child.on('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`it exited (${signal ?? `code ${code}`})`));
    readLines(child.stderr!, keep);
    readLines(child.stdout!, (line) => {
      keep(line);
      if (line.startsWith('{')) waiters.forEach((waiter) => waiter(JSON.parse(line)));
      if (!line.includes('"slotline ready"')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line).address);
    });
  });

  return {
    url: address,
    child,
    output,
    logs,
    nextLog: (matches) =>
      new Promise((resolve, reject) => {
        const waiter = (entry: Record<string, unknown>) => {
          if (!matches(entry)) return;
          waiters.delete(waiter);
          resolve(entry);
        };
        waiters.add(waiter);
        child.once('exit', () => {
          if (waiters.delete(waiter)) reject(new Error(`slotline exited before the log line came\n${output()}`));
        });
      }),
    post: async (path, body) => {
      const response = await fetch(address + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    kill: async () => {
      child.kill('SIGKILL');
      await gone(child);
    },
    stop: async () => {
      child.kill('SIGTERM');
      const lingering = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone(child);
      clearTimeout(lingering);
      return child.exitCode;
    },
  };
}

/** Kills every process `serve` started that is still running; resolves once they are gone. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      child.kill('SIGKILL');
      return gone(child);
    }),
  );
}

function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  // Read to the end, after readiness too, so that a full pipe never blocks the process.
  stream.on('data', (chunk: string) => {
    const parts = (buffered + chunk).split('\n');
    buffered = parts.pop() ?? '';
    parts.forEach(onLine);
  });
}
