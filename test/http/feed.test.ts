import { describe, expect, it } from 'vitest';
import { appsOn, calendarYaml } from './harness.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');

describe('bookings feed', () => {
  const open = appsOn('sqlite');

  it('should answer a token it cannot read as it answers a wrong one: 404, never 400', async () => {
    const app = await open({ yaml: calendarYaml({ feed_token: 's3cret', resources: '[{ id: anna }]' }), now: NOW });
    for (const path of [
      'bookings.ics?token=s3cret&token=s3cret',
      'resources/anna/bookings.ics?token=s3cret&token=other',
      'bookings.ics?token=',
      'bookings.ics?token[a]=s3cret',
    ]) {
      const response = await fetch(`${app.url}/calendars/main/${path}`);
      expect({ path, status: response.status, body: await response.json() }).toEqual({
        path,
        status: 404,
        body: { error: 'not_found', message: 'There is no such feed.' },
      });
    }
    expect((await fetch(`${app.url}/calendars/main/resources/anna/bookings.ics?token=s3cret`)).status).toBe(200);
  });
});
