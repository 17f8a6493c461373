import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createBusyExpander, type BusyExpander } from '../../src/sources/busy-expander.js';

const WINDOW = { start: Date.parse('2026-11-29T00:00:00Z'), end: Date.parse('2027-01-01T00:00:00Z') };
const event = (uid: string, rule = '') =>
  `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\n${rule}END:VEVENT\r\n`;
const calendarOf = (...events: string[]) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\n${events.join('')}END:VCALENDAR\r\n`;
const request = (text: string) => ({ texts: [text], window: WINDOW, zone: 'UTC' });

const expanders: BusyExpander[] = [];
const expanderWith = (limits: Parameters<typeof createBusyExpander>[0]) => {
  const expander = createBusyExpander(limits);
  expanders.push(expander);
  return expander;
};
afterEach(async () => {
  await Promise.all(expanders.splice(0).map((expander) => expander.close()));
});

describe('the busy-time expander', () => {
  it('should fail a calendar whose expansion needs more than the heap cap', async () => {
    const expander = expanderWith({ heapMb: 16, budgetMs: 30_000 });
    const big = calendarOf(
      ...Array.from({ length: 20_000 }, (_, index) => event(`e-${index}`, `SUMMARY:${'x'.repeat(80)}\r\n`)),
    );
    await expect(expander.expand(request(big))).rejects.toThrow('expanding the calendar needed more than 16 MB');
  });

  it('should expand the next calendar after one that overran its time and was terminated', async () => {
    const expander = expanderWith({ budgetMs: 500 });
    const never = calendarOf(event('never', 'RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\r\n'));
    await expect(expander.expand(request(never))).rejects.toThrow('expanding the calendar took more than 0.5 s');
    await expect(expander.expand(request('not a calendar'))).rejects.toThrow(/^Not iCalendar/);
    expect(await expander.expand(request(calendarOf(event('one'))))).toEqual([
      { start: Date.parse('2026-12-01T09:00:00Z'), end: Date.parse('2026-12-01T10:00:00Z') },
    ]);
  });

  it('should not count the time a new worker takes to start against the budget', async () => {
    const expander = expanderWith({ budgetMs: 1_000 });
    const expansion = expander.expand(request(calendarOf(event('one'))));
    await new Promise((resolve) => setImmediate(resolve));
    // The main thread busy past the budget while the worker starts, as on a loaded machine.
    const busyUntil = performance.now() + 1_500;
    while (performance.now() < busyUntil);
    expect(await expansion).toEqual([
      { start: Date.parse('2026-12-01T09:00:00Z'), end: Date.parse('2026-12-01T10:00:00Z') },
    ]);
  });

  it.runIf(process.platform === 'linux')(
    'should expand in a thread at the lowest priority, leaving the main thread as it was',
    async () => {
      const expander = expanderWith({ budgetMs: 5_000 });
      const never = calendarOf(event('never', 'RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\r\n'));
      let settled = false;
      const expansion = expander
        .expand(request(never))
        .catch(() => undefined)
        .finally(() => (settled = true));
      // Until the expansion spins in its worker, or ends.
      while (!settled && !threadNices().includes(19)) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(threadNices()).toContain(19);
      expect(threadNices()[0]).toBe(0);
      await expander.close();
      await expansion;
    },
  );
});

/** The nice value of each thread of this process, the main thread first (/proc/self/task, Linux). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task')
    .sort((a, b) => Number(a) - Number(b))
    .map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name, whose parentheses may hold spaces; nice is field 19.
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
}
