import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MAX_RESOURCE_DAYS, configWarnings } from '../../src/config/config-warnings.js';
import { parseConfig } from '../../src/config/config.loader.js';

/** A calendar with `resources` resources and the given horizon, beside a small one. */
function sized(resources: number, horizon: string) {
  return parseConfig(
    stringify({
      calendars: [
        { id: 'small', timezone: 'UTC', duration: '30m', hours: { 'mon-fri': ['09:00-17:00'] } },
        {
          id: 'sized',
          timezone: 'Europe/Berlin',
          duration: '1m',
          horizon,
          max_slots: 1000,
          hours: { 'mon-sun': ['08:00-20:00'] },
          resources: Array.from({ length: resources }, (_, i) => ({ id: `r${i}` })),
        },
      ],
    }),
    {},
  );
}

describe('the size warning', () => {
  it('should accept 50 resources over 730 days, the largest config the bench measures', () => {
    expect(configWarnings(sized(50, '730d'))).toEqual([]);
  });

  it('should warn, naming the horizon, when resources times days pass the limit', () => {
    expect(MAX_RESOURCE_DAYS).toBe(50_000);
    expect(configWarnings(sized(100, '730d'))).toEqual([
      {
        keyPath: 'calendars[1].horizon',
        message:
          '100 resources over 730 days are 73,000 resource-days, more than 50,000: /available after a start ' +
          "or another process's booking can take longer than 200 ms; shorten the horizon or split the " +
          'resources over calendars',
      },
    ]);
  });

  it('should count a part of a day as a day', () => {
    // 100.5 days count as 101: 495 × 101 = 49,995 and 496 × 101 = 50,096.
    expect(configWarnings(sized(495, '2412h'))).toEqual([]);
    expect(configWarnings(sized(496, '2412h'))).toHaveLength(1);
  });
});
