import { constants, setPriority } from 'node:os';
import { isMainThread, parentPort } from 'node:worker_threads';
import type { Interval } from '../engine/interval.js';
import { busyFromIcalObjects } from './ical-busy.js';
import { isOwnEvent } from '../booking-ical/own-events.js';
import { errorMessage } from '../shared/error-message.js';
import { packIntervals } from './packed-intervals.js';

/**
 * Runs in a worker thread (see busy-expander.ts): answers each request, one at a time, with the
 * busy time or the reason the calendar could not be read. Its owner enforces time and memory by
 * terminating it, since ical.js can spin forever inside a single iterator step.
 */

export interface ExpandRequest {
  /**
   * One or more iCalendar texts: an ICS feed, or the objects of a CalDAV collection. UTF-8 bytes
   * are moved to the worker without a copy (see busy-expander.ts) and decoded there, so each must
   * be the only view of its buffer.
   */
  readonly texts: readonly (string | Uint8Array<ArrayBuffer>)[];
  readonly window: Interval;
  readonly zone: string;
}

/** The busy intervals packed (packed-intervals.ts), moved to the caller without a copy. */
export type ExpandAnswer = { readonly busy: Float64Array<ArrayBuffer> } | { readonly error: string };

const utf8 = new TextDecoder();

// Expanding is background work that may spin for its whole budget (a rule that never matches):
// it must not take the cores from request handling. On Linux each thread has its own nice value,
// and pid 0 is this thread; elsewhere the call would lower the whole process, so it is left out.
if (process.platform === 'linux' && !isMainThread) setPriority(constants.priority.PRIORITY_LOW);

parentPort?.on('message', (request: ExpandRequest) => {
  let answer: ExpandAnswer;
  try {
    const texts = request.texts.map((text) => (typeof text === 'string' ? text : utf8.decode(text)));
    const busy = busyFromIcalObjects(texts, { window: request.window, zone: request.zone, ignoreUid: isOwnEvent });
    answer = { busy: packIntervals(busy) };
  } catch (error) {
    answer = { error: errorMessage(error) };
  }
  parentPort?.postMessage(answer, 'busy' in answer ? [answer.busy.buffer] : []);
});
