/**
 * What the phases share: the run's settings, its work folder, the seeded databases (made once, on
 * first use), the servers started (stopped at the end whatever happens), the checks that turn a
 * crash or a 5xx into a failed run, and the figures a later phase compares with (the bare route).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { StormResult } from './book-storm.js';
import type { LoadResult } from './load.js';
import { cpuMeter, describeLoad, otherLoad } from './machine-load.js';
import { POSTGRES_URL, backendPids, closeBenchDatabase, openBenchDatabase, type BenchDatabase } from './postgres.js';
import { perRequest, type PhaseReport } from './report.js';
import { RESOURCES, SOURCES_PER_RESOURCE, writeConfig } from './scenario.js';
import { FUTURE_BOOKINGS, PAST_BOOKINGS, seed, seedPostgres } from './seed.js';
import {
  migrate,
  startSlotline,
  stop,
  waitSynced,
  type Server,
  type Slotline,
  type SlotlineOptions,
} from './servers.js';
import { startFeeds, type FeedServer } from './sources.js';

/** The `sourced` calendar's feeds: SOURCES_PER_RESOURCE per resource. */
export const FEEDS = RESOURCES.length * SOURCES_PER_RESOURCE;

export interface BenchSettings {
  /** Length of each measured load run. */
  readonly seconds: number;
  readonly warmUpSeconds: number;
  readonly engineSeconds: number;
  /** Node flags for every Slotline, e.g. --cpu-prof. */
  readonly nodeFlags: readonly string[];
}

/** A result with what it cost: the share of the machine others used, and our servers' CPU seconds. */
export type Metered<R> = R & { readonly other: number; readonly serverCpu: number; readonly databaseCpu?: number };

/** The first sync of the calendar sources, in ms from spawning the process; see `launch`. */
export interface FirstSync {
  readonly sources: number;
  readonly fromStart: number;
  readonly began?: number;
  readonly took?: number;
}

/** The scenarios' config file, and the seeded SQLite file with the time its rows were drawn for. */
export interface Scenario {
  readonly config: string;
  readonly seeded: string;
  readonly seededAt: number;
}

export interface Launched extends Slotline {
  readonly postgres: boolean;
  firstSync?: FirstSync;
}

/** Figures a later phase puts its own beside. */
export interface Figures {
  bare?: Metered<LoadResult>;
  available?: Metered<LoadResult>;
  storm?: Metered<StormResult>;
}

/** A server crash, a 5xx or a double booking: a correctness failure, not a missed target. */
export class BenchFailure extends Error {}

export function log(message: string): void {
  console.log(`[bench] ${message}`);
}

export class Bench {
  readonly workDir = mkdtempSync(join(os.tmpdir(), 'slotline-bench-'));
  readonly servers = new Set<Server>();
  /** Every Slotline launched with its first sync, for the run's notes. */
  readonly launched: Launched[] = [];
  readonly figures: Figures = {};
  /** The `sourced` calendar's feeds, once the scenario is prepared. */
  feeds: FeedServer | undefined;
  #scenario: Promise<Scenario> | undefined;
  #database: Promise<BenchDatabase | { unavailable: string }> | undefined;
  #openedDatabase: BenchDatabase | undefined;

  constructor(readonly settings: BenchSettings) {}

  /** The address of the n-th feed of a `sourced` resource, once the scenario is prepared. */
  readonly sourcedFeed = (resource: string, n: number): string =>
    this.feeds?.url(RESOURCES.indexOf(resource) * SOURCES_PER_RESOURCE + n) ?? '';

  /** The scenarios' config and the seeded SQLite file, made on first use. */
  scenario(): Promise<Scenario> {
    this.#scenario ??= this.#prepareScenario();
    return this.#scenario;
  }

  async #prepareScenario(): Promise<Scenario> {
    const feeds = await startFeeds(FEEDS);
    this.feeds = feeds;
    const config = join(this.workDir, 'slotline.yaml');
    const seeded = join(this.workDir, 'seed.db');
    writeConfig(config, {
      feedUrl: (resource, n) => feeds.url(RESOURCES.indexOf(resource) * SOURCES_PER_RESOURCE + n),
    });
    migrate(config, `sqlite:${seeded}`);
    const now = Date.now();
    const written = seed(seeded, now);
    log(
      `seeded ${written.future} future and ${written.past} past bookings of the reference calendar and ` +
        `${written.sourced} of the sourced one into SQLite in ${Date.now() - now} ms`,
    );
    return { config, seeded, seededAt: now };
  }

  /** A fresh copy of the seeded SQLite file, so each server starts from the seed. */
  async seededCopy(name: string): Promise<string> {
    const copy = join(this.workDir, `${name}.db`);
    copyFileSync((await this.scenario()).seeded, copy);
    return copy;
  }

  /** The run's PostgreSQL schema, migrated and seeded with SQLite's rows on first use, or why not. */
  database(): Promise<BenchDatabase | { unavailable: string }> {
    this.#database ??= this.#prepareDatabase();
    return this.#database;
  }

  async #prepareDatabase(): Promise<BenchDatabase | { unavailable: string }> {
    const { config, seededAt } = await this.scenario();
    const database = await openBenchDatabase();
    if ('unavailable' in database) {
      log(`PostgreSQL at ${new URL(POSTGRES_URL).host} does not answer (${database.unavailable})`);
      return database;
    }
    this.#openedDatabase = database;
    const started = Date.now();
    migrate(config, database.url);
    const migrated = Date.now();
    await seedPostgres(database.client, seededAt);
    log(
      `PostgreSQL ${database.version}: migrated schema ${database.schema} in ${migrated - started} ms, seeded ` +
        `${FUTURE_BOOKINGS + PAST_BOOKINGS} rows and more in ${Date.now() - migrated} ms`,
    );
    return database;
  }

  /**
   * Starts a Slotline and, unless told not to, waits until its first sync of the calendar sources
   * shows in /readyz, so no sync runs during a measurement; `firstSync` says how long that took from
   * spawning the process and from its first /readyz answer (the sync starts once it listens).
   */
  async launch(options: SlotlineOptions, { waitForSync = true } = {}): Promise<Launched> {
    const server: Launched = Object.assign(await startSlotline({ ...options, nodeFlags: this.settings.nodeFlags }), {
      postgres: options.database.startsWith('postgres'),
    });
    this.servers.add(server);
    if (!waitForSync) return server;
    const { syncedAt, sources } = await waitSynced(server);
    // A source's synced_at is when its sync began: the earliest is when this process began syncing,
    // unless another process on the same database synced them all before this one started.
    const began = Math.min(...sources.map((source) => Date.parse(source.synced_at ?? '')));
    server.firstSync = {
      sources: sources.length,
      fromStart: syncedAt - server.startedAt,
      ...(began >= server.startedAt ? { began: began - server.startedAt, took: syncedAt - began } : {}),
    };
    this.launched.push(server);
    log(`${server.name} (pid ${server.pid}): ${describeSync(server.firstSync)}`);
    return server;
  }

  /**
   * Launches a Slotline of the scenario on a fresh copy of the seeded SQLite file called `copy`,
   * with the shipped log level unless `logLevel` says otherwise.
   */
  async launchOnSeed(
    copy: string,
    name: string,
    { logLevel }: { logLevel?: string } = {},
  ): Promise<{ server: Launched; database: string }> {
    const { config } = await this.scenario();
    const database = await this.seededCopy(copy);
    const logFile = join(this.workDir, `${copy}.log`);
    return {
      server: await this.launch({ name, config, database: `sqlite:${database}`, logFile, logLevel }),
      database,
    };
  }

  /** Throws when a server crashed, or when `result` counted a 5xx answer. */
  checkHealthy(result?: { status5xx: number }, label = ''): void {
    for (const server of this.servers) if (server.crashed) throw new BenchFailure(server.crashed);
    if (result && result.status5xx > 0) throw new BenchFailure(`${label}: ${result.status5xx} answers were 5xx`);
  }

  /**
   * Runs `run()` and adds `other`, the share of the machine other processes used meanwhile, and
   * `serverCpu`, the CPU seconds the servers used meanwhile. On PostgreSQL, the database backends
   * serving them are ours too: `databaseCpu` is their CPU seconds.
   */
  async metered<R>(underTest: Server | readonly Server[], run: () => Promise<R>): Promise<Metered<R>> {
    const list = [underTest].flat();
    const pids = list.map((server) => server.pid);
    const database = this.#openedDatabase;
    const onPostgres = database && list.some((server) => (server as Partial<Launched>).postgres);
    const backends = onPostgres ? await backendPids(database, list) : [];
    const end = otherLoad(() => [...pids, ...backends]);
    const serverCpu = cpuMeter(pids);
    const databaseCpu = cpuMeter(backends);
    const result = await run();
    return {
      ...result,
      other: end(),
      serverCpu: serverCpu(),
      ...(backends.length > 0 ? { databaseCpu: databaseCpu() } : {}),
    };
  }

  /** Stops a server and forgets it; a crash after this is no longer the run's failure. */
  async stop(server: Server): Promise<'not running' | 'SIGTERM' | 'SIGKILL'> {
    const how = await stop(server);
    this.servers.delete(server);
    return how;
  }

  /**
   * Stops every child still running, the feed server, drops the PostgreSQL schema and removes the
   * work folder; on failure prints the tail of each server's log.
   */
  async cleanUp(failed: boolean): Promise<void> {
    for (const server of this.servers) {
      if (failed) printLogTail(server);
      await stop(server).catch(() => undefined);
    }
    await this.feeds?.close();
    if (this.#openedDatabase) {
      const problem = await closeBenchDatabase(this.#openedDatabase);
      if (problem) console.error(`[bench] ${problem}`);
    }
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

function printLogTail(server: Server): void {
  try {
    const tail = readFileSync(server.logFile, 'utf8').split('\n').slice(-20).join('\n');
    if (tail.trim()) console.error(`--- last lines of ${server.name} log ---\n${tail}`);
  } catch {
    // No log written.
  }
}

/** "20 sources synced 1084 ms after start: the sync began at 640 ms and took 444 ms". */
export function describeSync({ sources, fromStart, began, took }: FirstSync): string {
  return (
    `${sources} sources synced ${fromStart} ms after start: ` +
    (took === undefined
      ? 'another process had synced them already'
      : `the sync began at ${began} ms (listening) and took ${took} ms`)
  );
}

/** Logs one load result: throughput, latency, what went wrong, and what it cost. */
export function describe(label: string, result: Metered<LoadResult>): void {
  const problems = result.non2xx + result.errors + result.timeouts;
  log(
    `${label}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms` +
      ` (${result.requests} requests in ${result.seconds} s` +
      (problems ? `; non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}` : '') +
      `; server CPU ${perRequest(result.serverCpu, result.requests)} a request` +
      (result.databaseCpu !== undefined ? `, PostgreSQL CPU ${perRequest(result.databaseCpu, result.requests)}` : '') +
      `; other processes used ${describeLoad(result.other)}` +
      (result.pacerHeldUp !== undefined ? `; the pacer held up at most ${result.pacerHeldUp.toFixed(1)} ms)` : ')'),
  );
}

/** One phase of the run: `name` selects it (`--only`), `run` measures and hands back its report. */
export interface Phase {
  readonly name: string;
  readonly run: (bench: Bench) => Promise<PhaseReport>;
}
