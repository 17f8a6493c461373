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

const expand = (request: ExpandRequest): ExpandAnswer => {
  try {
    const texts = request.texts.map((text) => (typeof text === 'string' ? text : utf8.decode(text)));
    const busy = busyFromIcalObjects(texts, { window: request.window, zone: request.zone, ignoreUid: isOwnEvent });
    return { busy: packIntervals(busy) };
  } catch (error) {
    return { error: errorMessage(error) };
  }
};

parentPort?.on('message', (request: ExpandRequest) => {
  const answer = expand(request);
  parentPort?.postMessage(answer, 'busy' in answer ? [answer.busy.buffer] : []);
});

/**
 * A first expansion does work no later one repeats (compiling the parser's and the recurrence
 * code), which at this thread's low priority on a busy machine can take longer than a budget: it
 * is done here, before the owner's budget starts.
 */
const WARM_UP: ExpandRequest = {
  texts: [
    'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:warm-up\r\nDTSTART:20260105T090000Z\r\n' +
      'DTEND:20260105T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
  ],
  window: { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 1, 1) },
  zone: 'UTC',
};
expand(WARM_UP);

// Loaded, warm and listening: the owner's budget for the first expansion starts now.
parentPort?.postMessage('ready');
