/**
 * The planner's statistics of the bookings table, refreshed by the process that changes it.
 * A calendar that was empty at the last ANALYZE looks empty to the planner however many bookings
 * it gained since, so it may read the calendar through any index that starts with the calendar
 * (1 ms instead of 0.03 ms a read, until autovacuum comes, which on a large table waits for a
 * tenth of it to change). Window reads are shaped to stay narrow on every index that fits them
 * (booking.queries.ts `blockedIn`); this covers the rest: after every `every` commits that changed
 * bookings, this process runs ANALYZE on the table, one at a time, in the background.
 */
export interface BookingStatistics {
  /** A commit changed bookings. */
  changed(): void;
  /** Resolves when no ANALYZE is running. */
  settled(): Promise<void>;
}

/** Commits between two ANALYZEs: a few seconds of a storm, hours of a busy practice. */
export const ANALYZE_EVERY = 500;

export function bookingStatistics(analyze: () => Promise<void>, every = ANALYZE_EVERY): BookingStatistics {
  let changes = 0;
  let running: Promise<void> | undefined;
  return {
    changed() {
      changes++;
      if (changes < every || running) return;
      changes = 0;
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
