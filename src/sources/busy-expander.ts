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
 */

export interface ExpanderLimits {
  /** Wall-clock time one expansion may take; default 10 s. */
  readonly budgetMs?: number;
  /** The worker's V8 heap (old generation) in MB; default DEFAULT_HEAP_MB. */
  readonly heapMb?: number;
}

const DEFAULT_BUDGET_MS = 10_000;
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
  const heapMb = limits.heapMb ?? DEFAULT_HEAP_MB;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();
  /** The warm worker between expansions; none after an overrun, until the next expansion. */
  let worker: Worker | undefined;

  const spawn = () => new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: heapMb } });

  function run(request: ExpandRequest, signal?: AbortSignal): Promise<Interval[]> {
    if (closed) return Promise.reject(new ExpansionError('expansion stopped: shutting down'));
    if (signal?.aborted) return Promise.reject(new ExpansionError('expansion stopped before it began'));
    const current = (worker ??= spawn());
    current.ref();
    return new Promise((resolve, reject) => {
      /** Ends this expansion; a worker that did not answer is terminated, never reused. */
      const settle = (outcome: Interval[] | ExpansionError, answeredInTime = false) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        current.off('message', answered).off('error', failed).off('exit', exited);
        if (answeredInTime) {
          // An idle worker must not keep the process alive.
          current.unref();
        } else {
          if (worker === current) worker = undefined;
          void current.terminate();
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
      const timer = setTimeout(
        () => settle(new ExpansionError(`expanding the calendar took more than ${budgetMs / 1000} s`)),
        budgetMs,
      );
      signal?.addEventListener('abort', abort, { once: true });
      current.once('message', answered).once('error', failed).once('exit', exited);
      // Bytes are moved, not copied: copying a 50 MB text would hold up the main thread for a second.
      const bytes = request.texts.flatMap((text) => (typeof text === 'string' ? [] : [text.buffer]));
      current.postMessage(request, bytes);
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
      await last?.terminate();
    },
  };
}
