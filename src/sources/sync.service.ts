import { readEvents, readTag } from '../caldav/caldav.js';
import type { CalendarConfig, Config, ResourceConfig, SourceConfig } from '../config/config.types.js';
import type { Interval } from '../engine/interval.js';
import { capResponse } from '../shared/capped-response.js';
import { errorMessage } from '../shared/error-message.js';
import type { BookingStore } from '../store/booking.store.js';
import type { BusyChange, SourceState } from '../store/source.js';
import type { SourceStore } from '../store/source.store.js';
import type { WritebackStore } from '../store/writeback.store.js';
import { createWriteback } from '../writeback/writeback.service.js';
import { createBusyExpander, type BusyExpander, type ExpanderLimits } from './busy-expander.js';
import type { ExpandRequest } from './busy.worker.js';
import { busyDigest } from './packed-intervals.js';

const DAY_MS = 86_400_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** The first retry after a failure; each further failure doubles it, up to the sync interval. */
const FIRST_RETRY_MS = 15_000;

export interface SyncLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export type SyncOutcome = 'synced' | 'unchanged' | 'failed' | 'skipped';

interface Target {
  readonly calendar: CalendarConfig;
  readonly resource: ResourceConfig;
  readonly source: SourceConfig;
}

/** How long after its `failures`-th failure in a row a source is tried again, by any process. */
function retryDelay(failures: number, syncEvery: number): number {
  return Math.min(syncEvery, FIRST_RETRY_MS * 2 ** (failures - 1));
}

/** A source is stale when it has not synced for three of its intervals (or never has). */
export function isStale(state: SourceState | undefined, syncEvery: number, now: number): boolean {
  return !state?.syncedAt || now - state.syncedAt > 3 * syncEvery;
}

/**
 * The ETag or ctag of a source's last read, while the busy time that read wrote covers every slot
 * the horizon can hold until the next sync, in the calendar's zone of now; otherwise none, and the
 * source is read whole. A tag says the feed is unchanged, not that its busy time is: the days that
 * come into the horizon hold occurrences of its series that the last read's window (rangeOf) left
 * out, so a source is read whole about every other day; and its all-day events are other instants
 * in another zone (a config reloaded or restarted with a new `timezone`).
 */
function trustedTag(previous: SourceState | undefined, { calendar, resource }: Target, at: number): string | null {
  const lastRead = previous?.lastRead;
  const lastSlotEnd = at + resource.syncEvery + calendar.horizon + calendar.duration + calendar.bufferAfter;
  const holds = lastRead?.zone === calendar.timezone && lastRead.until >= lastSlotEnd;
  return holds ? (previous?.tag ?? null) : null;
}

/**
 * Background sync of every resource's calendars elsewhere into the database, so `/available`
 * never waits on them and every process shares the result. One process at a time syncs a
 * source (a lease in the database); a failing source keeps its last good busy time, is retried
 * with backoff, and, with `on_stale: block`, blocks its resource once it is stale. Feeds are
 * parsed and expanded off the main thread within `expansion` limits (see busy-expander.ts).
 * The write-back of bookings (writeback.service.ts) starts and stops with it.
 */
export function createSync(options: {
  config: Config;
  /** Write-backs read the booking they write. */
  store: SourceStore & WritebackStore & Pick<BookingStore, 'bookingById'>;
  log: SyncLog;
  now?: () => number;
  expansion?: ExpanderLimits;
  /** Told of each write of busy time once committed, so that this process's availability applies it. */
  onBusyChanged?: (change: BusyChange) => void;
}) {
  const { store, log } = options;
  const now = options.now ?? Date.now;
  const expander = createBusyExpander(options.expansion);
  /** Aborts downloads and expansions under way when the sync stops. */
  const stopping = new AbortController();
  const running = new Set<Promise<unknown>>();
  /** By source id; a reload replaces them, and a scheduled sync reads its target when it runs. */
  let targets = targetsOf(options.config);
  const timers = new Map<string, NodeJS.Timeout>();
  const writeback = createWriteback({ config: options.config, store, log, now });
  let started = false;
  let stopped = false;

  const replaceBusy = async (...args: Parameters<typeof store.replaceBusy>): Promise<void> => {
    const change = await store.replaceBusy(...args);
    if (change) options.onBusyChanged?.(change);
  };

  /** Busy time is read from a day back to two days past the horizon, so a day's load is whole. */
  const rangeOf = (calendar: CalendarConfig, at: number): Interval => ({
    start: at - DAY_MS,
    end: at + calendar.horizon + 2 * DAY_MS,
  });

  async function syncOne(target: Target, previous?: SourceState): Promise<SyncOutcome> {
    const { calendar, resource, source } = target;
    const at = now();
    if (!(await store.claimSync(source.id, at, at + resource.syncEvery * 0.9))) return 'skipped';
    const ref = { id: source.id, calendarId: calendar.id, resourceId: resource.id };
    const range = rangeOf(calendar, at);
    try {
      const read = await readSource(source, range, calendar.timezone, trustedTag(previous, target, at), {
        expander,
        signal: stopping.signal,
      });
      // A reload removed the source while it was read: its busy time was deleted and stays so.
      if (!targets.has(source.id)) return 'skipped';
      if (read.busy === 'unchanged') {
        await store.recordSyncUnchanged(source.id, read.tag, at);
        return 'unchanged';
      }
      const busyRead = { until: range.end, digest: busyDigest(read.busy), zone: calendar.timezone };
      // The busy time the last read wrote (a feed without an ETag, or one stamped anew at each
      // download): nothing is written, and every process keeps its answers for the calendar. The
      // store confirms it against what is written now; a digest that differs needs no asking.
      if (
        busyRead.digest === previous?.lastRead?.digest &&
        (await store.confirmBusy(source.id, read.tag, at, busyRead))
      ) {
        return 'unchanged';
      }
      await replaceBusy(ref, read.busy, { tag: read.tag, at, read: busyRead });
      log.info({ source: source.id, busy: read.busy.length }, 'source synced');
      return 'synced';
    } catch (error) {
      // Shutting down is no failure of the source; its lease runs out on its own.
      if (stopped) return 'skipped';
      const reason = errorMessage(error);
      // The source stays leased until its retry is due, so no other process tries it sooner: a
      // feed that overruns every time costs the deployment one bounded attempt per backoff.
      const failedAt = now();
      const retryAt = failedAt + retryDelay((previous?.failures ?? 0) + 1, resource.syncEvery);
      await store.recordSyncFailure(source.id, reason, failedAt, retryAt);
      const stale = isStale(previous, resource.syncEvery, at);
      log.warn({ source: source.id, reason, stale }, 'source sync failed; keeping its last good busy time');
      // A long-stale source may hide meetings: with on_stale block, its resource offers nothing.
      if (stale && resource.onStale === 'block') await replaceBusy(ref, [range]);
      return 'failed';
    }
  }

  async function statesById(): Promise<Map<string, SourceState>> {
    return new Map((await store.sourceStates()).map((state) => [state.sourceId, state]));
  }

  /** Runs `work` as part of the sync, so that `stop` can wait for it. */
  async function tracked<T>(work: () => Promise<T>): Promise<T> {
    const promise = work();
    running.add(promise);
    try {
      return await promise;
    } finally {
      running.delete(promise);
    }
  }

  function schedule(sourceId: string, delay: number): void {
    if (stopped) return;
    const timer = setTimeout(async () => {
      const target = targets.get(sourceId);
      // A reload removed the source.
      if (!target) return;
      let next = target.resource.syncEvery;
      try {
        const previous = (await statesById()).get(target.source.id);
        if ((await tracked(() => syncOne(target, previous))) === 'failed') {
          next = retryDelay((previous?.failures ?? 0) + 1, target.resource.syncEvery);
        }
      } catch (error) {
        // The database itself failed: try again after the usual interval.
        if (!stopped) log.warn({ source: target.source.id, err: error }, 'source sync could not run');
      }
      schedule(sourceId, next);
    }, delay);
    timer.unref();
    timers.set(sourceId, timer);
  }

  return {
    /** Carries out queued write-backs now (see writeback.service.ts); what tests use. */
    flushWritebacks: writeback.flush,
    /** Syncs every source once, now; what tests and start-up use. */
    async syncAll(): Promise<Map<string, SyncOutcome>> {
      const states = await statesById();
      const outcomes = new Map<string, SyncOutcome>();
      for (const target of targets.values()) {
        outcomes.set(target.source.id, await tracked(() => syncOne(target, states.get(target.source.id))));
      }
      return outcomes;
    },
    /** Keeps syncing in the background until `stop`. */
    start(): void {
      started = true;
      for (const sourceId of targets.keys()) schedule(sourceId, 0);
      writeback.start();
    },
    /**
     * Syncs the sources of `config` from now on (a reload): a new source is synced at once, a kept
     * one at its next turn with its new settings, and a removed one no more, its busy time deleted
     * (a changed URL is a new source, as its id hashes the URL). Resolves when that is deleted.
     */
    async reconfigure(config: Config): Promise<void> {
      const previous = targets;
      targets = targetsOf(config);
      writeback.reconfigure(config);
      if (started) for (const sourceId of targets.keys()) if (!previous.has(sourceId)) schedule(sourceId, 0);
      for (const [sourceId, { calendar, resource }] of previous) {
        if (targets.has(sourceId)) continue;
        clearTimeout(timers.get(sourceId));
        timers.delete(sourceId);
        const ref = { id: sourceId, calendarId: calendar.id, resourceId: resource.id };
        // Its tag goes too, so that the source, added again, is read whole instead of found unchanged.
        await tracked(() => replaceBusy(ref, [], { tag: null, at: now() }));
      }
    },
    /** Stops syncing: aborts what is under way (terminating its worker) and waits until it has ended. */
    async stop(): Promise<void> {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      writeback.stop();
      stopping.abort();
      await expander.close();
      await Promise.allSettled([...running]);
    },
  };
}

export type Sync = ReturnType<typeof createSync>;

function targetsOf(config: Config): Map<string, Target> {
  return new Map(
    config.calendars.flatMap((calendar) =>
      calendar.resources.flatMap((resource) =>
        resource.sources.map((source) => [source.id, { calendar, resource, source }] as const),
      ),
    ),
  );
}

/**
 * Busy time of one source, or 'unchanged' when its ETag or ctag says nothing changed. The download
 * is capped at the source's `maxBytes`; parsing and expansion happen in the expander's worker.
 */
async function readSource(
  source: SourceConfig,
  range: Interval,
  zone: string,
  knownTag: string | null,
  { expander, signal }: { expander: BusyExpander; signal: AbortSignal },
): Promise<{ busy: Interval[] | 'unchanged'; tag: string | null }> {
  const expand = (texts: ExpandRequest['texts']) => expander.expand({ texts, window: range, zone }, signal);
  if (source.type === 'ics') {
    const response = await fetch(source.url, {
      headers: { ...(knownTag ? { 'if-none-match': knownTag } : {}), ...basicAuth(source) },
      signal: AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), signal]),
    });
    const tag = response.headers.get('etag');
    if (response.status === 304) return { busy: 'unchanged', tag: knownTag };
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`the feed answered HTTP ${response.status}`);
    }
    // The bytes go to the worker as they are: decoding happens there too.
    const bytes = new Uint8Array(await capResponse(response, source.maxBytes).arrayBuffer());
    return { busy: await expand([bytes]), tag };
  }
  const limits = { timeoutMs: REQUEST_TIMEOUT_MS, maxBytes: source.maxBytes, signal };
  if (knownTag && (await readTag(source, limits)) === knownTag) return { busy: 'unchanged', tag: knownTag };
  const { objects, tag } = await readEvents(source, range, limits);
  return { busy: await expand(objects), tag };
}

function basicAuth(source: SourceConfig): Record<string, string> {
  if (source.username === undefined) return {};
  const credentials = Buffer.from(`${source.username}:${source.password ?? ''}`).toString('base64');
  return { authorization: `Basic ${credentials}` };
}
