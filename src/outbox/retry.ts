import type { Saturated } from './saturation.js';

/** A retry waits its scheduled time plus or minus this share, so that failed receivers are not hit in step. */
const JITTER = 0.1;

/** A scheduled wait with jitter, in ms. */
export function jittered(wait: number, random: () => number = Math.random): number {
  return Math.round(wait * (1 - JITTER + 2 * JITTER * random()));
}

/** One attempt at a claimed message; resolves to when it is to be retried, or undefined when it is settled. */
export type Attempt = () => Promise<number | undefined>;

/**
 * Claims and makes attempts, a batch at a time, until a batch comes back short (nothing else is due
 * now) or the process is `saturated` with requests (the rest waits for the next poll); resolves to
 * the earliest retry they scheduled, so the worker can wake for it. `claim` answers none to stop.
 */
export async function attemptAllDue(
  batch: number,
  claim: () => Promise<readonly Attempt[]>,
  saturated: Saturated,
): Promise<number | undefined> {
  let earliest: number | undefined;
  for (;;) {
    const attempts = await claim();
    for (const retryAt of await Promise.all(attempts.map((attempt) => attempt()))) {
      if (retryAt !== undefined) earliest = Math.min(earliest ?? Infinity, retryAt);
    }
    if (attempts.length < batch || (await saturated())) return earliest;
  }
}
