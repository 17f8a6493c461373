import { describe, expect, it } from 'vitest';
import { judgeStart, listSlots, nearestFreeStarts } from '../../src/engine/availability.js';
import { everyDay, minutes, rules } from './fixtures.js';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);

function slotsOn(date: string, timezone: string, hours: string[], extra = {}) {
  const dayBefore = at(`${date}T00:00:00Z`) - minutes(60 * 36);
  const all = listSlots(
    rules({ timezone, horizon: minutes(60 * 24 * 3), ...extra }),
    [{ schedule: everyDay(hours), blocked: [], bookingStarts: [] }],
    dayBefore,
  );
  return all.map((slot) => slot.start).filter((start) => iso(start + offsetGuess(timezone)).startsWith(date));
}

// Good enough to pick a local date for the zones used below (no slot sits near local midnight).
function offsetGuess(timezone: string): number {
  return { 'Europe/Berlin': minutes(60), 'Asia/Kathmandu': minutes(345), UTC: 0 }[timezone] ?? 0;
}

describe('the slot grid across daylight-saving changes', () => {
  it('should offer 4 half-hour slots from 01:00-04:00 on the Berlin spring-forward Sunday', () => {
    const starts = slotsOn('2027-03-28', 'Europe/Berlin', ['01:00-04:00']);
    expect(starts.map(iso)).toEqual([
      '2027-03-28T00:00:00.000Z',
      '2027-03-28T00:30:00.000Z',
      '2027-03-28T01:00:00.000Z',
      '2027-03-28T01:30:00.000Z',
    ]);
  });

  it('should offer 8 half-hour slots from 01:00-04:00 on the Berlin fall-back Sunday', () => {
    const starts = slotsOn('2026-10-25', 'Europe/Berlin', ['01:00-04:00']);
    expect(starts).toHaveLength(8);
    expect(iso(starts[0]!)).toBe('2026-10-24T23:00:00.000Z');
    expect(iso(starts[7]!)).toBe('2026-10-25T02:30:00.000Z');
  });

  it('should keep the grid on local time in a +05:45 zone', () => {
    const starts = slotsOn('2026-12-01', 'Asia/Kathmandu', ['09:00-10:00']);
    expect(starts.map(iso)).toEqual(['2026-12-01T03:15:00.000Z', '2026-12-01T03:45:00.000Z']);
  });
});

describe('buffers, notice and caps', () => {
  const schedule = everyDay(['09:00-12:00']);
  const now = at('2026-12-01T00:00:00Z');

  it('should not offer the slot after a booking whose after-buffer reaches into it', () => {
    const booked = at('2026-12-01T09:00:00Z');
    const slots = listSlots(
      rules({ bufferAfter: minutes(10), horizon: minutes(60 * 20) }),
      [{ schedule, blocked: [{ start: booked, end: booked + minutes(40) }], bookingStarts: [booked] }],
      now,
    );
    expect(slots.map((slot) => iso(slot.start))).toEqual([
      '2026-12-01T10:00:00.000Z',
      '2026-12-01T10:30:00.000Z',
      '2026-12-01T11:00:00.000Z',
      '2026-12-01T11:30:00.000Z',
    ]);
  });

  it('should refuse starts inside the minimum notice and name why', () => {
    const verdict = judgeStart(
      rules({ minNotice: minutes(600) }),
      [{ schedule, blocked: [], bookingStarts: [] }],
      at('2026-12-01T09:00:00Z'),
      now,
    );
    expect(verdict).toEqual({ ok: false, refusal: 'too_soon' });
  });

  it('should close a resource for the day once it holds max_per_day bookings', () => {
    const booked = at('2026-12-01T09:00:00Z');
    const resource = { schedule, blocked: [{ start: booked, end: booked + minutes(30) }], bookingStarts: [booked] };
    const verdict = judgeStart(rules({ maxPerDay: 1 }), [resource], at('2026-12-01T10:00:00Z'), now);
    expect(verdict).toEqual({ ok: false, refusal: 'taken' });
  });

  it('should tell closed hours from starts off the grid', () => {
    const resources = [{ schedule, blocked: [], bookingStarts: [] }];
    expect(judgeStart(rules(), resources, at('2026-12-01T13:00:00Z'), now)).toEqual({ ok: false, refusal: 'closed' });
    expect(judgeStart(rules(), resources, at('2026-12-01T09:10:00Z'), now)).toEqual({ ok: false, refusal: 'off_grid' });
  });

  it('should spread max_slots over the days, earliest first within a day', () => {
    const slots = listSlots(
      rules({ maxSlots: 4, horizon: minutes(60 * 24 * 2) }),
      [{ schedule, blocked: [], bookingStarts: [] }],
      now,
    );
    expect(slots.map((slot) => iso(slot.start))).toEqual([
      '2026-12-01T09:00:00.000Z',
      '2026-12-01T09:30:00.000Z',
      '2026-12-02T09:00:00.000Z',
      '2026-12-02T09:30:00.000Z',
    ]);
  });

  it('should find the nearest free starts around a taken one', () => {
    const booked = at('2026-12-02T10:00:00Z');
    const resource = { schedule, blocked: [{ start: booked, end: booked + minutes(30) }], bookingStarts: [booked] };
    const nearest = nearestFreeStarts(rules(), [resource], booked, now, 3);
    expect(nearest.map(iso)).toEqual([
      '2026-12-02T09:00:00.000Z',
      '2026-12-02T09:30:00.000Z',
      '2026-12-02T10:30:00.000Z',
    ]);
  });

  it('should close a day with an empty override and reshape one with ranges', () => {
    const withOverrides = everyDay(['09:00-12:00'], { '2026-12-01': [], '2026-12-02': ['14:00-15:00'] });
    const slots = listSlots(
      rules({ horizon: minutes(60 * 24 * 2 - 1) }),
      [{ schedule: withOverrides, blocked: [], bookingStarts: [] }],
      now,
    );
    expect(slots.map((slot) => iso(slot.start))).toEqual(['2026-12-02T14:00:00.000Z', '2026-12-02T14:30:00.000Z']);
  });
});
