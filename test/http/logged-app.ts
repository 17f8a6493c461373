import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { parseConfig } from '../../src/config/config.loader.js';
import { buildApp } from '../../src/http/app.js';
import type { LineStream } from '../../src/http/request-log.js';
import { openStore } from '../../src/store/open-store.js';

export interface LoggedApp {
  readonly app: FastifyInstance;
  /** Every log line the app wrote so far. */
  readonly lines: string[];
  /** Closes the app and its database and removes the database's folder. */
  close(): Promise<void>;
}

/** How long after the app closed a batching stream's lines are made (see `loggedApp`). */
export const BATCH_DELAY_MS = 300;

/**
 * The real app on a fresh SQLite file, with its log lines collected, for tests of what it logs.
 * `batched`: its stream writes in batches, as serve's stdout does, and takes each request's line to
 * make later; the lines are made in their order BATCH_DELAY_MS after the app has closed, so a line
 * made from the request and reply as they are then, not as they were when it completed, would show.
 */
export async function loggedApp(
  yaml: string,
  options: { level: string; now?: number; batched?: boolean },
): Promise<LoggedApp> {
  const folder = mkdtempSync(join(tmpdir(), 'slotline-logs-'));
  const config = parseConfig(yaml, {});
  const lines: string[] = [];
  const batch: (() => string)[] = [];
  const stream: LineStream = options.batched
    ? { write: (line) => batch.push(() => line), writeLater: (makeLine) => batch.push(makeLine) }
    : { write: (line) => lines.push(line) };
  const store = await openStore(`sqlite:${join(folder, 'slotline.db')}`, config.databasePool);
  const { now } = options;
  const app = buildApp({
    config,
    store,
    now: now === undefined ? undefined : () => now,
    logger: { level: options.level, stream },
  });
  return {
    app,
    lines,
    close: async () => {
      await app.close();
      await store.close();
      if (options.batched) await setTimeout(BATCH_DELAY_MS);
      lines.push(...batch.map((makeLine) => makeLine()));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
