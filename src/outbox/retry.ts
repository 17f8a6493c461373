/** A retry waits its scheduled time plus or minus this share, so that failed receivers are not hit in step. */
const JITTER = 0.1;

/** A scheduled wait with jitter, in ms. */
export function jittered(wait: number, random: () => number = Math.random): number {
  return Math.round(wait * (1 - JITTER + 2 * JITTER * random()));
}
