/**
 * A job of the outbox run again and again, never twice at once: when its last run says, at the
 * latest after `pollMs`, and at once when woken (a run in flight is followed by another).
 */
export interface Lane {
  /** Runs the job now, or right after the run in flight (the first call starts the lane). */
  wake(): void;
  /** Runs it no more; resolves when the run in flight ended. */
  stop(): Promise<void>;
}

export function createLane(options: {
  /** One run; resolves to when the next is due, undefined for the next poll. */
  readonly run: () => Promise<number | undefined>;
  /** A run that threw; the next comes at the next poll. */
  readonly failed: (error: unknown) => void;
  readonly pollMs: number;
  readonly clock: () => number;
}): Lane {
  const { clock, pollMs } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let woken = false;
  let stopped = false;

  function runNow(): void {
    clearTimeout(timer);
    if (stopped) return;
    if (running) {
      woken = true;
      return;
    }
    running = options.run().then(
      (nextAt) => settle(nextAt),
      (error: unknown) => {
        options.failed(error);
        settle(undefined);
      },
    );
  }

  function settle(nextAt: number | undefined): void {
    running = undefined;
    if (stopped) return;
    if (woken) {
      woken = false;
      runNow();
      return;
    }
    const at = Math.min(clock() + pollMs, nextAt ?? Infinity);
    timer = setTimeout(runNow, Math.max(0, at - clock()));
    timer.unref();
  }

  return {
    wake: runNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
