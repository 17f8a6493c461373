/**
 * The servers under test run as child processes, so autocannon (in the bench process) never
 * competes with them inside one event loop. A child that exits while we did not ask it to is a crash.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { BARE_SERVER, ROOT, SLOTLINE } from './paths.js';

/** How long one probe of a server may take: a server that hangs must not hang the bench. */
const PROBE_TIMEOUT_MS = 1_000;
// The sizes phase's 500,000 bookings took 17 s to load on a slower machine than this file's first.
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  readonly url: string;
  stopping: boolean;
  crashed: string | null;
  readonly exited: Promise<unknown>;
}

export interface SlotlineOptions {
  readonly name: string;
  readonly config: string;
  /** Slotline's --database URL. */
  readonly database: string;
  readonly logFile: string;
  /** Node flags, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
  /** LOG_LEVEL; without it, the level Slotline ships with (info). */
  readonly logLevel?: string;
  /** How long to wait for the first answer of /readyz. */
  readonly readyTimeoutMs?: number;
}

export interface Slotline extends Server {
  /** When it was spawned, in epoch ms. */
  readonly startedAt: number;
}

/** A port the OS just called free on 127.0.0.1 (it may in theory be taken again before we bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `slotline migrate` to completion on a database URL: the real migrations create the schema we seed. */
export function migrate(config: string, database: string): void {
  const result = spawnSync(process.execPath, [SLOTLINE, 'migrate', '--config', config, '--database', database], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`slotline migrate failed: ${result.stderr || result.stdout}`);
}

/**
 * Spawns `node bin/slotline serve` on a free port on the database URL `database`; it is not
 * listening yet (see `waitReady`). Its output goes through a pipe, read by this process into
 * `logFile`, as a deployment's log collector (journald, a container runtime) reads it.
 */
export async function spawnSlotline(options: SlotlineOptions): Promise<Slotline> {
  const { name, config, database, logFile, nodeFlags = [], logLevel } = options;
  const port = await freePort();
  const startedAt = Date.now();
  const args = ['serve', '--config', config, '--port', String(port), '--host', '127.0.0.1', '--database', database];
  const env = { ...process.env };
  delete env.LOG_LEVEL;
  const child = spawn(process.execPath, [...nodeFlags, SLOTLINE, ...args], {
    cwd: ROOT,
    env: logLevel === undefined ? env : { ...env, LOG_LEVEL: logLevel },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once('close', () => log.end());
  return Object.assign(watch(name, child, port, logFile), { startedAt });
}

/** Spawns a Slotline and waits until /readyz answers; stops it again when it never does. */
export async function startSlotline(options: SlotlineOptions): Promise<Slotline> {
  const server = await spawnSlotline(options);
  try {
    await waitReady(server, options.readyTimeoutMs);
  } catch (error) {
    await stop(server);
    throw error;
  }
  return server;
}

/** GET a path of a server, given up after PROBE_TIMEOUT_MS; undefined when no answer came. */
export async function probe(server: Server, path: string): Promise<Response | undefined> {
  try {
    return await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  } catch {
    return undefined;
  }
}

export interface SourceState {
  readonly synced_at?: string | null;
}

/**
 * Waits until GET /readyz shows every calendar source with `synced_at` set (the background sync
 * runs at start-up); returns when that was seen, in ms, and the sources.
 */
export async function waitSynced(
  server: Server,
  timeoutMs = 60_000,
): Promise<{ syncedAt: number; sources: SourceState[] }> {
  const deadline = Date.now() + timeoutMs;
  let sources: SourceState[] = [];
  while (Date.now() < deadline) {
    if (server.crashed) throw new Error(`${server.crashed}; see ${server.logFile}`);
    const response = await probe(server, '/readyz');
    if (response?.ok) {
      sources = ((await response.json()) as { sources?: SourceState[] }).sources ?? [];
      if (sources.every((source) => source.synced_at)) return { syncedAt: Date.now(), sources };
    }
    await sleep(20);
  }
  const waiting = sources.filter((source) => !source.synced_at);
  throw new Error(
    `${server.name}: ${waiting.length} sources not synced within ${timeoutMs / 1000} s ` +
      `(${JSON.stringify(waiting.slice(0, 3))}); see ${server.logFile}`,
  );
}

/** Starts the bare Fastify route answering `bodyFile`; it says "listening" when ready. */
export async function startBare({ bodyFile, logFile }: { bodyFile: string; logFile: string }): Promise<Server> {
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [BARE_SERVER, bodyFile, String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', log],
  });
  closeSync(log);
  const server = watch('bare fastify', child, port, logFile);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
    child.once('exit', () => reject(new Error(`bare server exited before listening (see ${logFile})`)));
  });
  return server;
}

/** Tracks one child: its base URL, whether it crashed, and how to stop it. */
function watch(name: string, child: ChildProcess, port: number, logFile: string): Server {
  const server: Server = {
    name,
    child,
    pid: child.pid ?? NaN,
    logFile,
    url: `http://127.0.0.1:${port}`,
    stopping: false,
    crashed: null,
    exited: new Promise((resolve) => child.once('exit', resolve)),
  };
  child.once('exit', (code, signal) => {
    if (!server.stopping) server.crashed = `${name} exited unexpectedly (code ${code}, signal ${signal})`;
  });
  return server;
}

/** Waits until GET /readyz answers 200; throws when the server crashed or `timeoutMs` went by. */
export async function waitReady(server: Server, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.crashed) throw new Error(`${server.crashed}; see ${server.logFile}`);
    if ((await probe(server, '/readyz'))?.ok) return;
    await sleep(100);
  }
  throw new Error(`${server.name} was not ready within ${timeoutMs / 1000} s; see ${server.logFile}`);
}

/**
 * SIGTERM lets the server close its database cleanly (and write a CPU profile); SIGKILL if it has
 * not exited STOP_GRACE_MS later. Says which of the two stopped it (or that it was not running).
 */
export async function stop(server: Server | undefined): Promise<'not running' | 'SIGTERM' | 'SIGKILL'> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return 'not running';
  server.stopping = true;
  server.child.kill('SIGTERM');
  const exited = await Promise.race([server.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
  if (exited) return 'SIGTERM';
  server.child.kill('SIGKILL');
  await server.exited;
  return 'SIGKILL';
}
