import { Worker } from 'node:worker_threads';
import type { Interval } from '../engine/interval.js';
import type { ExpandAnswer, ExpandRequest } from './busy.worker.js';
import { unpackIntervals } from './packed-intervals.js';

/**
 * Parses and expands iCalendar off the main thread, so that no calendar elsewhere can stall request
 * handling: expansions run in a worker thread with a capped heap and a wall-clock budget, and the
 * worker is terminated when one overruns. Terminating is the only way out, since ical.js can spin
 * forever inside one iterator step (RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30). Expansions run one
 * at a time, so an expander has at most one worker (and one capped heap); the worker is kept warm
 * between expansions, because starting one (loading ical.js and luxon) takes a good 100 ms.
 *
 * The budget is the expansion's own: it starts when a new worker has said it is ready, since on a
 * busy machine starting one may take seconds, and that is no fault of the calendar. Starting has
 * a limit of its own.
 */

export interface ExpanderLimits {
  /** Wall-clock time one expansion may take, once its worker is ready; default 10 s. */
  readonly budgetMs?: number;
  /** Wall-clock time a new worker may take to be ready; default 60 s. */
  readonly startupMs?: number;
  /** The worker's V8 heap (old generation) in MB; default DEFAULT_HEAP_MB. */
  readonly heapMb?: number;
}

const DEFAULT_BUDGET_MS = 10_000;
const DEFAULT_STARTUP_MS = 60_000;
/** Enough for a 10 MB feed (the default download cap) with room to spare. */
const DEFAULT_HEAP_MB = 256;

/** A calendar whose busy time could not be read: unreadable, too slow or too big to expand. */
export class ExpansionError extends Error {
  override readonly name = 'ExpansionError';
}

/**
 * The worker's module. From dist/ (production: bin/slotline runs dist/cli/main.js) it sits next to
 * this file. Under vitest this file is the TypeScript source in src/, and Node 20 cannot run
 * TypeScript in a worker, so the worker is its compiled twin in dist/, which `npm test` builds
 * before the suite. That keeps one worker file and needs no loader hooks or extra dependency.
 */
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? '../../dist/sources/busy.worker.js' : './busy.worker.js',
  import.meta.url,
);

export interface BusyExpander {
  /** Busy intervals, sorted by start; rejects with ExpansionError. `signal` ends it early. */
  expand(request: ExpandRequest, signal?: AbortSignal): Promise<Interval[]>;
  /** Terminates the worker and refuses further work. */
  close(): Promise<void>;
}

export function createBusyExpander(limits: ExpanderLimits = {}): BusyExpander {
  const budgetMs = limits.budgetMs ?? DEFAULT_BUDGET_MS;
  const startupMs = limits.startupMs ?? DEFAULT_STARTUP_MS;
  const heapMb = limits.heapMb ?? DEFAULT_HEAP_MB;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();
  /** The warm worker between expansions; none after an overrun, until the next expansion. */
  let worker: { readonly thread: Worker; readonly ready: Promise<void> } | undefined;

  const spawn = () => {
    const thread = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: heapMb } });
    // Its first message says its modules are loaded and warm (busy.worker.ts).
    const ready = new Promise<void>((resolve) => thread.once('message', () => resolve()));
    return { thread, ready };
  };

  function run(request: ExpandRequest, signal?: AbortSignal): Promise<Interval[]> {
    if (closed) return Promise.reject(new ExpansionError('expansion stopped: shutting down'));
    if (signal?.aborted) return Promise.reject(new ExpansionError('expansion stopped before it began'));
    const current = (worker ??= spawn());
    const { thread } = current;
    thread.ref();
    return new Promise((resolve, reject) => {
      let settled = false;
      /** Ends this expansion; a worker that did not answer is terminated, never reused. */
      const settle = (outcome: Interval[] | ExpansionError, answeredInTime = false) => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        thread.off('message', answered).off('error', failed).off('exit', exited);
        if (answeredInTime) {
          // An idle worker must not keep the process alive.
          thread.unref();
        } else {
          if (worker === current) worker = undefined;
          void thread.terminate();
        }
        if (outcome instanceof ExpansionError) reject(outcome);
        else resolve(outcome);
      };
      const answered = (answer: ExpandAnswer) =>
        settle('busy' in answer ? unpackIntervals(answer.busy) : new ExpansionError(answer.error), true);
      const failed = (error: Error & { code?: string }) =>
        settle(
          new ExpansionError(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `expanding the calendar needed more than ${heapMb} MB`
              : `expanding the calendar failed: ${error.message}`,
          ),
        );
      const exited = () => settle(new ExpansionError('expansion stopped'));
      const abort = () => settle(new ExpansionError('expansion stopped'));
      let timer = setTimeout(
        () => settle(new ExpansionError(`the expansion worker did not start within ${startupMs / 1000} s`)),
        startupMs,
      );
      signal?.addEventListener('abort', abort, { once: true });
      thread.once('error', failed).once('exit', exited);
      void current.ready.then(() => {
        if (settled) return;
        clearTimeout(timer);
        timer = setTimeout(
          () => settle(new ExpansionError(`expanding the calendar took more than ${budgetMs / 1000} s`)),
          budgetMs,
        );
        thread.once('message', answered);
        // Bytes are moved, not copied: copying a 50 MB text would hold up the main thread for a second.
        const bytes = request.texts.flatMap((text) => (typeof text === 'string' ? [] : [text.buffer]));
        thread.postMessage(request, bytes);
      });
    });
  }

  return {
    expand(request, signal) {
      const result = queue.then(() => run(request, signal));
      queue = result.catch(() => {});
      return result;
    },
    async close() {
      closed = true;
      const last = worker;
      worker = undefined;
      await last?.thread.terminate();
    },
  };
}
