/**
 * The planner's statistics of the bookings table, refreshed by the process that changes it.
 * A calendar that was empty at the last ANALYZE looks empty to the planner however many bookings
 * it gained since, so it may read the calendar through any index that starts with the calendar
 * (1 ms instead of 0.03 ms a read, until autovacuum comes, which on a large table waits for a
 * tenth of it to change). Window reads are shaped to stay narrow on every index that fits them
 * (booking.queries.ts `blockedIn`); this covers the rest: after every `every` commits that changed
 * bookings, and at least `gapMs` after the last one, this process runs ANALYZE on the table, one at
 * a time, in the background.
 */
export interface BookingStatistics {
  /** A commit changed bookings. */
  changed(): void;
  /** Resolves when no ANALYZE is running. */
  settled(): Promise<void>;
}

/** Commits between two ANALYZEs: a few seconds of a storm, hours of a busy practice. */
export const ANALYZE_EVERY = 500;

/**
 * The least time between two ANALYZEs. The first one after a calendar fills is what changes its
 * plans; later ones only refine the counts of calendars the planner already knows to be full. In
 * a storm, one every 500 commits (every 1-2 s here) took a tenth of PostgreSQL's CPU, and each
 * made every connection plan its prepared statements again.
 */
export const ANALYZE_GAP_MS = 60_000;

export function bookingStatistics(
  analyze: () => Promise<void>,
  { every = ANALYZE_EVERY, gapMs = ANALYZE_GAP_MS, now = Date.now } = {},
): BookingStatistics {
  let changes = 0;
  let lastStarted = -Infinity;
  let running: Promise<void> | undefined;
  return {
    changed() {
      changes++;
      if (changes < every || running) return;
      const at = now();
      if (at - lastStarted < gapMs) return;
      changes = 0;
      lastStarted = at;
      // A failed ANALYZE only leaves the statistics as they were: the next round tries again.
      running = analyze()
        .catch(() => {})
        .finally(() => {
          running = undefined;
        });
    },
    settled: async () => {
      await running;
    },
  };
}
