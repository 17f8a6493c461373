import { describe, expect, it } from 'vitest';
import { appsOn, calendarYaml, type Running } from './harness.js';
import { DIALECTS } from '../dialects.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');

const metricsOf = async (app: Running, headers: Record<string, string> = {}) => {
  const response = await fetch(`${app.url}/metrics`, { headers });
  return { status: response.status, text: await response.text() };
};

describe.each(DIALECTS)('on %s', (dialect) => {
  const open = appsOn(dialect);
  describe('GET /metrics', () => {
    it('should count bookings by outcome and time requests, slots and the database', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      await app.post('/available', {});
      await app.post('/book', { contact_id: 'a', start_iso: '2026-12-02T09:00:00Z' });
      await app.post('/book', { contact_id: 'a', start_iso: '2026-12-02T09:00:00Z' });
      await app.post('/book', { contact_id: 'b', start_iso: '2026-12-02T09:00:00Z' });
      app.setNow(NOW + 1);
      await app.post('/book', { contact_id: 'a', start_iso: '2026-12-02T10:00:00Z' });
      await app.post('/book', { contact_id: 'c', start_iso: 'no time' });

      const { status, text } = await metricsOf(app);
      expect(status).toBe(200);
      for (const outcome of ['success', 'retry', 'conflict', 'replaced', 'invalid']) {
        expect(text).toContain(`slotline_bookings_total{calendar="main",outcome="${outcome}"} 1`);
      }
      expect(text).toMatch(
        /slotline_http_request_duration_seconds_count\{route="\/book",status_code="200",outcome="conflict"\} 1/,
      );
      expect(text).toMatch(
        /slotline_http_request_duration_seconds_count\{route="\/available",status_code="200",outcome="ok"\} 1/,
      );
      expect(text).toMatch(/slotline_available_slots_count\{calendar="main"\} 1/);
      expect(text).toMatch(/slotline_database_duration_seconds_count\{operation="book"\} 4/);
      expect(text).toContain('nodejs_eventloop_lag_seconds');
      expect(text).toContain('process_cpu_user_seconds_total');
    });

    it('should ask for the metrics token as a bearer token when one is set', async () => {
      const app = await open({ yaml: calendarYaml({}, 'metrics_token: s3cret\n'), now: NOW });
      expect((await metricsOf(app)).status).toBe(401);
      expect((await metricsOf(app, { authorization: 'Bearer wrong!' })).status).toBe(401);
      expect((await metricsOf(app, { authorization: 'Bearer s3cret' })).status).toBe(200);
    });
  });
});
