import { performance } from 'node:perf_hooks';

/** How long the outbox stands aside to see what else the process has to do. */
const PAUSE_MS = 10;
/** The share of the pause the event loop may be busy before it counts as full. */
const FULL = 0.9;

/** Whether the process is too busy with requests for the outbox's next batch now. */
export type Saturated = () => Promise<boolean>;

/**
 * A probe of whether requests saturate the process: over a pause of the outbox's, its event loop
 * was busy nearly all the time, and requests were answered meanwhile. `answered` counts the
 * requests answered so far. With none answered since the last probe there is nothing to stand
 * aside for, and no pause: the outbox catching up alone fills the event loop too, and goes on.
 */
export function saturatedBy(answered: () => number, pauseMs = PAUSE_MS): Saturated {
  let answeredAtLastProbe = answered();
  return async () => {
    const answeredBefore = answered();
    if (answeredBefore === answeredAtLastProbe) return false;
    const before = performance.eventLoopUtilization();
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    answeredAtLastProbe = answered();
    return performance.eventLoopUtilization(before).utilization > FULL && answeredAtLastProbe > answeredBefore;
  };
}
