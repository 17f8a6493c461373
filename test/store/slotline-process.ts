import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The real executable, built into dist/ by `npm run build`. */
const BIN = join(import.meta.dirname, '../../bin/slotline');

export interface SlotlineProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** What it wrote to stdout and stderr so far, for failure messages. */
  output(): string;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  /** SIGKILL, as `kill -9` does; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it lingers; resolves once it is gone. */
  stop(): Promise<void>;
}

const running = new Set<SlotlineProcess>();

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const gone = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** `slotline serve` on a free loopback port, resolved once /readyz answers 200. */
export async function serve(config: string, database: string): Promise<SlotlineProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--config', config, '--host', '127.0.0.1', '--database', database],
    {
      env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const process_: SlotlineProcess = {
    url,
    child,
    output: () => output,
    post: async (path, body) => {
      const response = await fetch(url + path, {
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
      running.delete(process_);
    },
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone(child);
      clearTimeout(timer);
      running.delete(process_);
    },
  };
  running.add(process_);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok) return process_;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await process_.kill();
  throw new Error(`slotline did not become ready (exit ${child.exitCode ?? child.signalCode}):\n${output}`);
}

/** Ends every process `serve` started that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((slotline) => slotline.kill()));
}
