import { describe, expect, it } from 'vitest';
import { bookingStatistics } from '../../src/store/postgres.statistics.js';

/** The ANALYZE schedule, on a clock the test moves: after `every` commits, and not again within `gapMs`. */
describe('bookingStatistics', () => {
  const counting = () => {
    let clock = 0;
    let analyzed = 0;
    const statistics = bookingStatistics(
      async () => {
        analyzed++;
      },
      { every: 3, gapMs: 1_000, now: () => clock },
    );
    const commits = async (count: number) => {
      for (let i = 0; i < count; i++) statistics.changed();
      await statistics.settled();
    };
    return { commits, analyzed: () => analyzed, advance: (ms: number) => (clock += ms) };
  };

  it('should analyze once `every` commits changed bookings', async () => {
    const { commits, analyzed } = counting();
    await commits(2);
    expect(analyzed()).toBe(0);
    await commits(1);
    expect(analyzed()).toBe(1);
  });

  it('should not analyze again within the gap, however many commits come', async () => {
    const { commits, analyzed, advance } = counting();
    await commits(3);
    advance(999);
    await commits(30);
    expect(analyzed()).toBe(1);
    advance(1);
    await commits(1);
    expect(analyzed()).toBe(2);
  });

  it('should count the commits after an ANALYZE afresh', async () => {
    const { commits, analyzed, advance } = counting();
    await commits(3);
    advance(1_000);
    await commits(2);
    expect(analyzed()).toBe(1);
    await commits(1);
    expect(analyzed()).toBe(2);
  });
});
