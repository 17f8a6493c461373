/**
 * The servers under test run as child processes, so autocannon (in the bench process) never
 * competes with them inside one event loop. A child that exits while we did not ask it to is a crash.
 */
/* global process, setTimeout, fetch, URL */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SLOTLINE = fileURLToPath(new URL('../bin/slotline', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-server.js', import.meta.url));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port the OS just called free on 127.0.0.1 (it may in theory be taken again before we bind). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs `slotline migrate` to completion on a database URL: the real migrations create the schema we seed. */
export function migrate(config, database) {
  const result = spawnSync(process.execPath, [SLOTLINE, 'migrate', '--config', config, '--database', database], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`slotline migrate failed: ${result.stderr || result.stdout}`);
}

/**
 * Starts `node bin/slotline serve` on a free port on the database URL `database`, with its output in
 * `logFile`, and waits until /readyz answers. `nodeFlags` lets a run add e.g. --cpu-prof. The server
 * records when it was spawned (`startedAt`) and first answered /readyz (`readyAt`), in ms.
 */
export async function startSlotline({ name, config, database, logFile, nodeFlags = [] }) {
  const port = await freePort();
  const startedAt = Date.now();
  const log = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags,
      SLOTLINE,
      'serve',
      '--config',
      config,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--database',
      database,
    ],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const server = watch(name, child, port, logFile);
  await waitReady(server, `http://127.0.0.1:${port}/readyz`);
  return Object.assign(server, { startedAt, readyAt: Date.now() });
}

/**
 * Waits until GET /readyz shows every calendar source with `synced_at` set (the background sync
 * runs at start-up); returns when that was seen, in ms, and the sources.
 */
export async function waitSynced(server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let sources = [];
  while (Date.now() < deadline) {
    if (server.crashed) throw new Error(`${server.crashed}; see ${server.logFile}`);
    const response = await fetch(`${server.url}/readyz`);
    if (response.ok) {
      sources = (await response.json()).sources ?? [];
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
export async function startBare({ bodyFile, logFile }) {
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [BARE, bodyFile, String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', log],
  });
  closeSync(log);
  const server = watch('bare fastify', child, port, logFile);
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => chunk.toString().includes('listening') && resolve());
    child.once('exit', () => reject(new Error(`bare server exited before listening (see ${logFile})`)));
  });
  return server;
}

/** Tracks one child: its base URL, whether it crashed, and how to stop it. */
function watch(name, child, port, logFile) {
  const server = {
    name,
    child,
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

async function waitReady(server, url) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (server.crashed) throw new Error(`${server.crashed}; see ${server.logFile}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${server.name} was not ready within 20 s; see ${server.logFile}`);
}

/** SIGTERM lets the server close its database cleanly (and write a CPU profile); SIGKILL if it hangs. */
export async function stop(server) {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.stopping = true;
  server.child.kill('SIGTERM');
  const exited = await Promise.race([server.exited.then(() => true), sleep(5_000).then(() => false)]);
  if (!exited) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}
