import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../src/webhooks/webhook-delivery.service.js';

/** What one attempt's answer means for its message, on a schedule of two retries. */
const SCHEDULE = [1_000, 60_000];
const NOW = 1_000_000;

describe('outcomeOf', () => {
  it('should deliver on any 2xx', () => {
    for (const status of [200, 201, 204, 299]) {
      expect(outcomeOf({ status }, 0, SCHEDULE, NOW)).toEqual({ kind: 'delivered', status });
    }
  });

  it('should retry after the scheduled wait, within 10 % either way, then give up', () => {
    expect(outcomeOf({ status: 500 }, 0, SCHEDULE, NOW, () => 0)).toEqual({
      kind: 'retry',
      status: 500,
      error: 'answered 500',
      retryAt: NOW + 900,
    });
    expect(outcomeOf({ status: 302 }, 1, SCHEDULE, NOW, () => 1)).toMatchObject({
      kind: 'retry',
      retryAt: NOW + 66_000,
    });
    expect(outcomeOf({ error: 'fetch failed: connect ECONNREFUSED' }, 1, SCHEDULE, NOW, () => 0.5)).toEqual({
      kind: 'retry',
      status: null,
      error: 'fetch failed: connect ECONNREFUSED',
      retryAt: NOW + 60_000,
    });
    expect(outcomeOf({ status: 500 }, 2, SCHEDULE, NOW)).toEqual({
      kind: 'failed',
      status: 500,
      error: 'answered 500; the retry schedule is used up',
    });
    expect(outcomeOf({ status: 500 }, 0, [], NOW)).toMatchObject({ kind: 'failed' });
  });

  it('should stop at once on 410', () => {
    expect(outcomeOf({ status: 410 }, 0, SCHEDULE, NOW)).toMatchObject({ kind: 'failed', status: 410 });
  });

  it('should wait as Retry-After says on 429 and 503 only', () => {
    for (const status of [429, 503]) {
      expect(outcomeOf({ status, retryAfter: 120_000 }, 0, SCHEDULE, NOW)).toMatchObject({
        kind: 'retry',
        retryAt: NOW + 120_000,
      });
    }
    expect(outcomeOf({ status: 500, retryAfter: 120_000 }, 0, SCHEDULE, NOW, () => 0.5)).toMatchObject({
      retryAt: NOW + 1_000,
    });
    // Retry-After never adds attempts beyond the schedule.
    expect(outcomeOf({ status: 503, retryAfter: 5_000 }, 2, SCHEDULE, NOW)).toMatchObject({ kind: 'failed' });
  });
});
