import { describe, expect, it } from 'vitest';
import { appsOn, calendarYaml, eventually, starts, windowReads } from './harness.js';
import { DIALECTS } from '../dialects.js';

const onDay = (answer: Parameters<typeof starts>[0], from: string, to: string) =>
  starts(answer).filter((start) => start >= from && start < to);

describe.each(DIALECTS)('on %s', (dialect) => {
  const open = appsOn(dialect);
  describe("another process's booking", () => {
    it('should be read once by the requests that find it together, and be in each answer', async () => {
      const now = Date.parse('2026-11-30T06:00:00Z');
      const first = await open({ yaml: calendarYaml(), now });
      const second = await open({ yaml: calendarYaml(), now, database: first.database });
      expect(starts(await second.post('/available', {}))).toContain('2026-12-01T09:00:00.000Z');
      const before = await windowReads(second);

      await first.post('/book', { contact_id: 'c1', start_iso: '2026-12-01T09:00:00Z' });
      const mark = await first.store.changeMark('main');
      await eventually(async () => expect(await second.store.changeMark('main')).toBe(mark));
      const answers = await Promise.all(Array.from({ length: 20 }, () => second.post('/available', {})));
      for (const answer of answers) expect(starts(answer)).not.toContain('2026-12-01T09:00:00.000Z');
      expect(await windowReads(second)).toBe(before + 1);
    });
  });
  describe('daylight-saving days in Europe/Berlin with hours 01:00-04:00', () => {
    const berlin = calendarYaml({
      timezone: 'Europe/Berlin',
      hours: '{ sun: ["01:00-04:00"] }',
      horizon: '3d',
      max_slots: '100',
    });

    it('should offer 4 slots on the spring-forward Sunday', async () => {
      const app = await open({ yaml: berlin, now: Date.parse('2027-03-26T12:00:00Z') });
      expect(starts(await app.post('/available', {}))).toEqual([
        '2027-03-28T00:00:00.000Z',
        '2027-03-28T00:30:00.000Z',
        '2027-03-28T01:00:00.000Z',
        '2027-03-28T01:30:00.000Z',
      ]);
    });

    it('should offer 8 slots on the fall-back Sunday, the repeated hour twice, and book each', async () => {
      const app = await open({ yaml: berlin, now: Date.parse('2026-10-23T12:00:00Z') });
      const listed = starts(await app.post('/available', {}));
      expect(listed).toEqual([
        '2026-10-24T23:00:00.000Z',
        '2026-10-24T23:30:00.000Z',
        '2026-10-25T00:00:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-25T01:00:00.000Z',
        '2026-10-25T01:30:00.000Z',
        '2026-10-25T02:00:00.000Z',
        '2026-10-25T02:30:00.000Z',
      ]);
      for (const [index, start] of listed.entries()) {
        expect((await app.post('/book', { contact_id: `c${index}`, start_iso: start })).body).toEqual({
          status: 'success',
        });
      }
    });
  });

  describe('the slot grid', () => {
    it('should keep the grid on local time in Asia/Kathmandu (+05:45)', async () => {
      const app = await open({
        yaml: calendarYaml({ timezone: 'Asia/Kathmandu', hours: '{ mon-sun: ["09:00-10:30"] }', horizon: '1d' }),
        now: Date.parse('2026-12-01T00:00:00Z'),
      });
      expect(starts(await app.post('/available', {}))).toEqual([
        '2026-12-01T03:15:00.000Z',
        '2026-12-01T03:45:00.000Z',
        '2026-12-01T04:15:00.000Z',
      ]);
    });

    it('should step by interval and offer only slots that fit wholly inside the hours', async () => {
      const app = await open({
        yaml: calendarYaml({ duration: '45m', interval: '20m', hours: '{ mon-sun: ["09:00-10:30"] }', horizon: '1d' }),
        now: Date.parse('2026-12-01T00:00:00Z'),
      });
      expect(starts(await app.post('/available', {}))).toEqual([
        '2026-12-01T09:00:00.000Z',
        '2026-12-01T09:20:00.000Z',
        '2026-12-01T09:40:00.000Z',
      ]);
    });

    it('should let the after-buffer of a booking block the next slot on a grid shorter than slot and buffer', async () => {
      const app = await open({
        yaml: calendarYaml({
          buffer_after: '10m',
          interval: '30m',
          hours: '{ mon-sun: ["09:00-11:00"] }',
          horizon: '1d',
        }),
        now: Date.parse('2026-12-01T00:00:00Z'),
      });
      await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-01T09:00:00Z' });
      expect(starts(await app.post('/available', {}))).toEqual([
        '2026-12-01T10:00:00.000Z',
        '2026-12-01T10:30:00.000Z',
      ]);
    });

    it('should space starts by duration and buffers when no interval is given, so the next one stays bookable', async () => {
      const app = await open({
        yaml: calendarYaml({
          duration: '45m',
          buffer_after: '15m',
          hours: '{ mon-sun: ["08:00-12:00"] }',
          horizon: '1d',
        }),
        now: Date.parse('2026-12-01T00:00:00Z'),
      });
      const listed = starts(await app.post('/available', {}));
      expect(listed).toEqual([
        '2026-12-01T08:00:00.000Z',
        '2026-12-01T09:00:00.000Z',
        '2026-12-01T10:00:00.000Z',
        '2026-12-01T11:00:00.000Z',
      ]);
      expect((await app.post('/book', { contact_id: 'c1', start_iso: listed[0] })).body).toEqual({ status: 'success' });
      expect((await app.post('/book', { contact_id: 'c2', start_iso: listed[1] })).body).toEqual({ status: 'success' });
    });

    it("should let a before-buffer stack with the earlier booking's after-buffer", async () => {
      const app = await open({
        yaml: calendarYaml({
          buffer_before: '15m',
          buffer_after: '15m',
          interval: '30m',
          hours: '{ mon-sun: ["09:00-12:00"] }',
          horizon: '1d',
        }),
        now: Date.parse('2026-12-01T00:00:00Z'),
      });
      await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-01T10:00:00Z' });
      // 10:00 blocks 09:45-10:45; 09:00 blocks 08:45-09:45 and fits, 09:30 and 10:30 touch it, 11:00 fits.
      expect(starts(await app.post('/available', {}))).toEqual([
        '2026-12-01T09:00:00.000Z',
        '2026-12-01T11:00:00.000Z',
        '2026-12-01T11:30:00.000Z',
      ]);
    });
  });

  describe('hours, overrides and resources', () => {
    const NOW = Date.parse('2026-11-30T00:00:00Z'); // a Monday

    it('should close a day with an empty override and reshape one with ranges', async () => {
      const app = await open({
        yaml: calendarYaml({
          hours: '{ mon-fri: ["09:00-10:00"] }',
          overrides: '{ "2026-12-01": [], "2026-12-02": ["14:00-15:00"], "2026-12-05": ["10:00-10:30"] }',
          horizon: '7d',
        }),
        now: NOW,
      });
      const answer = await app.post('/available', {});
      expect(onDay(answer, '2026-12-01', '2026-12-02')).toEqual([]);
      expect(onDay(answer, '2026-12-02', '2026-12-03')).toEqual([
        '2026-12-02T14:00:00.000Z',
        '2026-12-02T14:30:00.000Z',
      ]);
      expect(onDay(answer, '2026-12-05', '2026-12-06')).toEqual(['2026-12-05T10:00:00.000Z']);
      expect(onDay(answer, '2026-12-06', '2026-12-07')).toEqual([]);
    });

    it('should offer a slot while any resource is free, each start once, per resource hours', async () => {
      const app = await open({
        yaml: calendarYaml({
          hours: '{ mon-sun: ["09:00-10:00"] }',
          resources: '[{ id: anna }, { id: ben, hours: { mon-sun: ["09:30-10:30"] } }]',
          horizon: '1d',
        }),
        now: NOW,
      });
      expect(starts(await app.post('/available', {}))).toEqual([
        '2026-11-30T09:00:00.000Z',
        '2026-11-30T09:30:00.000Z',
        '2026-11-30T10:00:00.000Z',
      ]);
      await app.post('/book', { contact_id: 'c1', start_iso: '2026-11-30T09:30:00Z' });
      expect(starts(await app.post('/available', {}))).toContain('2026-11-30T09:30:00.000Z');
      await app.post('/book', { contact_id: 'c2', start_iso: '2026-11-30T09:30:00Z' });
      expect(starts(await app.post('/available', {}))).toEqual([
        '2026-11-30T09:00:00.000Z',
        '2026-11-30T10:00:00.000Z',
      ]);
    });

    it('should bound starts by min_notice and horizon', async () => {
      const app = await open({
        yaml: calendarYaml({
          hours: '{ mon-sun: ["00:00-24:00"] }',
          min_notice: '2h',
          horizon: '1d',
          max_slots: '1000',
        }),
        now: Date.parse('2026-11-30T10:10:00Z'),
      });
      const listed = starts(await app.post('/available', {}));
      expect(listed[0]).toBe('2026-11-30T12:30:00.000Z');
      expect(listed[listed.length - 1]).toBe('2026-12-01T10:00:00.000Z');
      expect((await app.post('/book', { contact_id: 'c', start_iso: '2026-11-30T12:00:00Z' })).body.reason).toMatch(
        /^That time is too soon to book\. The nearest free times are Monday 30 November at 12:30, 13:00 and 13:30\.$/,
      );
    });

    it('should cap bookings per resource per local day with max_per_day', async () => {
      const app = await open({
        yaml: calendarYaml({
          timezone: 'America/New_York',
          hours: '{ mon-sun: ["09:00-12:00"] }',
          max_per_day: '2',
          horizon: '2d',
        }),
        now: NOW,
      });
      await app.post('/book', { contact_id: 'c1', start_iso: '2026-11-30T14:00:00Z' });
      await app.post('/book', { contact_id: 'c2', start_iso: '2026-11-30T15:00:00Z' });
      const answer = await app.post('/available', {});
      expect(onDay(answer, '2026-11-30', '2026-12-01')).toEqual([]);
      expect(onDay(answer, '2026-12-01', '2026-12-02').length).toBeGreaterThan(0);
    });

    it('should spread max_slots over the days and their hours, sorted and without duplicates', async () => {
      const app = await open({
        yaml: calendarYaml({
          hours: '{ mon-sun: ["09:00-17:00"] }',
          max_slots: '15',
          horizon: '5d',
          resources: '[{ id: a }, { id: b }]',
        }),
        now: NOW,
      });
      const listed = starts(await app.post('/available', {}));
      expect(listed).toEqual([...new Set(listed)].sort());
      // Five open days, three slots each: a morning, a midday and an afternoon start.
      const days = ['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'];
      expect(listed).toEqual(
        days.flatMap((day) => ['09:00', '12:00', '14:00'].map((time) => `${day}T${time}:00.000Z`)),
      );
    });
  });
});
