import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { freeStartsOn, judgeStart, listSlots, nearestFreeStarts } from '../../src/engine/availability.js';
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

  it('should give each near day the next three starts of its morning, afternoon and midday in turn', () => {
    // Open only in the morning, so the first day's three starts of a round are all mornings.
    const slots = listSlots(
      rules({ maxSlots: 4, horizon: minutes(60 * 24 * 2) }),
      [{ schedule, blocked: [], bookingStarts: [] }],
      now,
    );
    expect(slots.map((slot) => iso(slot.start))).toEqual([
      '2026-12-01T09:00:00.000Z',
      '2026-12-01T09:30:00.000Z',
      '2026-12-01T10:00:00.000Z',
      '2026-12-02T09:00:00.000Z',
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

  it('should name the next free start after a taken last slot of the day, not only earlier ones', () => {
    const booked = at('2026-12-02T11:30:00Z');
    const resource = { schedule, blocked: [{ start: booked, end: booked + minutes(30) }], bookingStarts: [booked] };
    const nearest = nearestFreeStarts(rules(), [resource], booked, now, 3);
    expect(nearest.map(iso)).toEqual([
      '2026-12-02T10:30:00.000Z',
      '2026-12-02T11:00:00.000Z',
      '2026-12-03T09:00:00.000Z',
    ]);
  });

  it('should name the first start after closed days, however far, as well as the evening before', () => {
    const holidays = everyDay(['09:00-17:00'], { '2026-12-02': [], '2026-12-03': [] });
    const target = at('2026-12-02T10:00:00Z');
    const nearest = nearestFreeStarts(
      rules(),
      [{ schedule: holidays, blocked: [], bookingStarts: [] }],
      target,
      now,
      3,
    );
    expect(nearest.map(iso)).toEqual([
      '2026-12-01T16:00:00.000Z',
      '2026-12-01T16:30:00.000Z',
      '2026-12-04T09:00:00.000Z',
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

describe('spreading max_slots over the days and their hours', () => {
  it('should offer afternoons: 30-day horizon, max_slots 40, open 08:00-20:00 (issue 8)', () => {
    const zone = 'Europe/Berlin';
    const now = at('2026-11-30T05:00:00Z'); // Monday 06:00 in Berlin
    const slots = listSlots(
      rules({ timezone: zone, horizon: minutes(60 * 24 * 30), maxSlots: 40 }),
      [{ schedule: everyDay(['08:00-20:00']), blocked: [], bookingStarts: [] }],
      now,
    );
    const byDay = new Map<string, string[]>();
    for (const { start } of slots) {
      const local = DateTime.fromMillis(start, { zone });
      byDay.set(local.toISODate()!, [...(byDay.get(local.toISODate()!) ?? []), local.toFormat('HH:mm')]);
    }
    // The first seven days give a morning, a midday and an afternoon start (21 slots); the
    // following 19 days one start each, until 40 are taken.
    const expected = new Map<string, string[]>();
    for (let day = 0; day < 26; day++) {
      const date = DateTime.fromISO('2026-11-30', { zone }).plus({ days: day }).toISODate()!;
      expected.set(date, day < 7 ? ['08:00', '12:00', '14:00'] : ['08:00']);
    }
    expect(slots).toHaveLength(40);
    expect(byDay).toEqual(expected);
  });

  it('should fill a near day part by part: morning, afternoon, midday, then the second of each', () => {
    const booked = at('2026-12-01T08:00:00Z');
    const resource = {
      schedule: everyDay(['08:00-10:00', '12:00-13:00', '15:00-17:00']),
      blocked: [{ start: booked, end: booked + minutes(30) }],
      bookingStarts: [booked],
    };
    const slots = listSlots(
      // Five: a round of three (08:30, 15:00, 12:00), then the second morning and afternoon.
      rules({ maxSlots: 5, horizon: minutes(60 * 20) }),
      [resource],
      at('2026-12-01T00:00:00Z'),
    );
    expect(slots.map((slot) => iso(slot.start))).toEqual([
      '2026-12-01T08:30:00.000Z',
      '2026-12-01T09:00:00.000Z',
      '2026-12-01T12:00:00.000Z',
      '2026-12-01T15:00:00.000Z',
      '2026-12-01T15:30:00.000Z',
    ]);
  });
});

describe('every free start of a day (an operator picking a slot)', () => {
  it('should list all free starts of the date in order, past maxSlots, without the taken ones or those inside notice', () => {
    const now = at('2026-12-01T09:10:00Z');
    const booked = at('2026-12-01T10:00:00Z');
    const slotRules = rules({ maxSlots: 1, minNotice: minutes(30), horizon: minutes(60 * 24 * 3) });
    const resources = [
      {
        schedule: everyDay(['09:00-12:00']),
        blocked: [{ start: booked, end: booked + minutes(30) }],
        bookingStarts: [booked],
      },
    ];
    const starts = freeStartsOn(slotRules, resources, now, '2026-12-01');
    expect(starts.map(iso)).toEqual([
      '2026-12-01T10:30:00.000Z',
      '2026-12-01T11:00:00.000Z',
      '2026-12-01T11:30:00.000Z',
    ]);
    for (const start of starts) expect(judgeStart(slotRules, resources, start, now).ok).toBe(true);
    expect(freeStartsOn(slotRules, resources, now, '2026-12-02')).toHaveLength(6);
  });
});
