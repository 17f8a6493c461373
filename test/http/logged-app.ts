import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseConfig } from '../../src/config/config.loader.js';
import { buildApp } from '../../src/http/app.js';
import { openStore } from '../../src/store/open-store.js';

export interface LoggedApp {
  readonly app: FastifyInstance;
  /** Every log line the app wrote so far. */
  readonly lines: string[];
  /** Closes the app and its database and removes the database's folder. */
  close(): Promise<void>;
}

/** The real app on a fresh SQLite file, with its log lines collected, for tests of what it logs. */
export async function loggedApp(yaml: string, options: { level: string; now?: number }): Promise<LoggedApp> {
  const folder = mkdtempSync(join(tmpdir(), 'slotline-logs-'));
  const config = parseConfig(yaml, {});
  const lines: string[] = [];
  const store = await openStore(`sqlite:${join(folder, 'slotline.db')}`, config.databasePool);
  const { now } = options;
  const app = buildApp({
    config,
    store,
    now: now === undefined ? undefined : () => now,
    logger: { level: options.level, stream: { write: (line) => lines.push(line) } },
  });
  return {
    app,
    lines,
    close: async () => {
      await app.close();
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
