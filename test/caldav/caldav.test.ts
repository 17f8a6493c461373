import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaldavError, deleteEvent, putEvent, readEvents, readTag, type CaldavSource } from '../../src/caldav/caldav.js';
import { PROCESS_TEST_TIMEOUT_MS } from '../slotline-process.js';
import { startRadicale, type Radicale } from '../sources/radicale.js';

const at = (iso: string) => Date.parse(iso);

function event(uid: string, lines: readonly string[]): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Slotline//test//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20300101T000000Z',
    ...lines,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function single(uid: string, start: string, end: string, summary = 'Busy'): string {
  return event(uid, [`DTSTART:${start}`, `DTEND:${end}`, `SUMMARY:${summary}`]);
}

/** Weekly on Mondays 09:00–10:00 UTC from 2030-01-07; 14 Jan cancelled; 21 Jan moved to Wed 23 Jan 14:00. */
function weekly(uid: string): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Slotline//test//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20300101T000000Z',
    'DTSTART:20300107T090000Z',
    'DTEND:20300107T100000Z',
    'RRULE:FREQ=WEEKLY;COUNT=6',
    'EXDATE:20300114T090000Z',
    'SUMMARY:Standup',
    'END:VEVENT',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20300101T000000Z',
    'RECURRENCE-ID:20300121T090000Z',
    'DTSTART:20300123T140000Z',
    'DTEND:20300123T150000Z',
    'SUMMARY:Standup (moved)',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function uidsOf(objects: readonly string[]): string[] {
  return objects.flatMap((text) =>
    new ICAL.Component(ICAL.parse(text) as unknown[])
      .getAllSubcomponents('vevent')
      .map((vevent) => String(vevent.getFirstPropertyValue('uid'))),
  );
}

describe('caldav client against Radicale', () => {
  let radicale: Radicale;
  let calendars = 0;
  /** A fresh, empty calendar collection of the test user, so tests never see each other's events. */
  const freshSource = async (): Promise<CaldavSource> => {
    calendars += 1;
    const url = await radicale.makeCalendar(`cal-${calendars}`);
    return { url, username: radicale.username, password: radicale.password };
  };

  // startRadicale gives up, and cleans up, well before this hook timeout, so none outlives the file.
  beforeAll(async () => {
    radicale = await startRadicale();
  }, PROCESS_TEST_TIMEOUT_MS);

  afterAll(async () => {
    await radicale?.stop();
  });

  it('should read back a put event within its time range and not outside it', async () => {
    const source = await freshSource();
    const uid = 'meeting-1@slotline.test';
    await putEvent(source, uid, single(uid, '20300107T090000Z', '20300107T100000Z'));

    const inside = await readEvents(source, { start: at('2030-01-07T00:00:00Z'), end: at('2030-01-08T00:00:00Z') });
    expect(inside.objects).toHaveLength(1);
    expect(uidsOf(inside.objects)).toEqual([uid]);
    expect(inside.objects[0]).toContain('DTSTART:20300107T090000Z');

    const overlapping = await readEvents(source, {
      start: at('2030-01-07T09:59:00Z'),
      end: at('2030-01-07T12:00:00Z'),
    });
    expect(overlapping.objects).toHaveLength(1);

    const later = await readEvents(source, { start: at('2030-01-08T00:00:00Z'), end: at('2030-01-09T00:00:00Z') });
    expect(later.objects).toEqual([]);
    // The range's end is exclusive, as is the event's.
    const before = await readEvents(source, { start: at('2030-01-07T08:00:00Z'), end: at('2030-01-07T09:00:00Z') });
    expect(before.objects).toEqual([]);
    const after = await readEvents(source, { start: at('2030-01-07T10:00:00Z'), end: at('2030-01-07T11:00:00Z') });
    expect(after.objects).toEqual([]);
  });

  it('should replace an event put again under the same UID', async () => {
    const source = await freshSource();
    await putEvent(source, 'again', single('again', '20300107T090000Z', '20300107T100000Z', 'First'));
    await putEvent(source, 'again', single('again', '20300107T090000Z', '20300107T100000Z', 'Second'));

    const { objects } = await readEvents(source, {
      start: at('2030-01-07T00:00:00Z'),
      end: at('2030-01-08T00:00:00Z'),
    });
    expect(objects).toHaveLength(1);
    expect(objects[0]).toContain('SUMMARY:Second');
  });

  it('should return a recurring event with its EXDATE and moved occurrence as one object', async () => {
    const source = await freshSource();
    const uid = 'standup@slotline.test';
    await putEvent(source, uid, weekly(uid));

    const whole = await readEvents(source, { start: at('2030-01-01T00:00:00Z'), end: at('2030-03-01T00:00:00Z') });
    expect(whole.objects).toHaveLength(1);
    const vevents = new ICAL.Component(ICAL.parse(whole.objects[0] ?? '') as unknown[]).getAllSubcomponents('vevent');
    expect(vevents).toHaveLength(2);
    expect(vevents.map((vevent) => String(vevent.getFirstPropertyValue('uid')))).toEqual([uid, uid]);
    expect(whole.objects[0]).toContain('RRULE:FREQ=WEEKLY;COUNT=6');
    expect(whole.objects[0]).toContain('EXDATE:20300114T090000Z');
    expect(whole.objects[0]).toContain('RECURRENCE-ID:20300121T090000Z');

    // Only the moved occurrence (Wed 23 Jan 14:00) is in this range: the server must look at the override.
    const moved = await readEvents(source, { start: at('2030-01-23T00:00:00Z'), end: at('2030-01-24T00:00:00Z') });
    expect(moved.objects).toHaveLength(1);
    expect(moved.objects[0]).toContain('RECURRENCE-ID:20300121T090000Z');
    expect(moved.objects[0]).toContain('RRULE:FREQ=WEEKLY;COUNT=6');

    // Neither the cancelled Monday (EXDATE) nor the moved occurrence's original slot is busy.
    const cancelled = await readEvents(source, { start: at('2030-01-14T00:00:00Z'), end: at('2030-01-15T00:00:00Z') });
    expect(cancelled.objects).toEqual([]);
    const movedFrom = await readEvents(source, { start: at('2030-01-21T00:00:00Z'), end: at('2030-01-22T00:00:00Z') });
    expect(movedFrom.objects).toEqual([]);

    // A later ordinary occurrence (28 Jan) still matches; a week after the series ended does not.
    const ordinary = await readEvents(source, { start: at('2030-01-28T00:00:00Z'), end: at('2030-01-29T00:00:00Z') });
    expect(ordinary.objects).toHaveLength(1);
    const ended = await readEvents(source, { start: at('2030-02-18T00:00:00Z'), end: at('2030-02-19T00:00:00Z') });
    expect(ended.objects).toEqual([]);
  });

  it('should change the ctag after a put and report the same tag from readEvents and readTag', async () => {
    const source = await freshSource();
    const empty = await readTag(source);
    expect(empty).toEqual(expect.any(String));
    expect(await readTag(source)).toBe(empty);

    await putEvent(source, 'tagged', single('tagged', '20300107T090000Z', '20300107T100000Z'));
    const afterPut = await readTag(source);
    expect(afterPut).toEqual(expect.any(String));
    expect(afterPut).not.toBe(empty);

    const read = await readEvents(source, { start: at('2030-01-01T00:00:00Z'), end: at('2030-02-01T00:00:00Z') });
    expect(read.tag).toBe(afterPut);

    await deleteEvent(source, 'tagged');
    expect(await readTag(source)).not.toBe(afterPut);
  });

  it('should delete an event, and treat deleting it again as done', async () => {
    const source = await freshSource();
    const range = { start: at('2030-01-07T00:00:00Z'), end: at('2030-01-08T00:00:00Z') };
    await putEvent(source, 'gone', single('gone', '20300107T090000Z', '20300107T100000Z'));
    await putEvent(source, 'stays', single('stays', '20300107T110000Z', '20300107T120000Z'));

    await deleteEvent(source, 'gone');
    expect(uidsOf((await readEvents(source, range)).objects)).toEqual(['stays']);
    await expect(deleteEvent(source, 'gone')).resolves.toBeUndefined();
    await expect(deleteEvent(source, 'never-existed')).resolves.toBeUndefined();
  });

  it('should throw CaldavError 401 without the password for a wrong password', async () => {
    const good = await freshSource();
    const password = 'Wr0ng-Secret-Pa55';
    const source = { ...good, password };
    const range = { start: at('2030-01-07T00:00:00Z'), end: at('2030-01-08T00:00:00Z') };
    const attempts: Array<() => Promise<unknown>> = [
      () => readEvents(source, range),
      () => readTag(source),
      () => putEvent(source, 'x', single('x', '20300107T090000Z', '20300107T100000Z')),
      () => deleteEvent(source, 'x'),
    ];
    for (const attempt of attempts) {
      const error = await attempt().then(
        () => expect.fail('should have thrown'),
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(CaldavError);
      const caldavError = error as CaldavError;
      expect(caldavError.status).toBe(401);
      expect(caldavError.message).not.toContain(password);
      expect(caldavError.stack ?? '').not.toContain(password);
      expect(caldavError.message).not.toContain(radicale.password);
    }
  });

  it("should throw CaldavError 403 for another user's calendar", async () => {
    const source = {
      url: radicale.calendarUrl('bob', 'calendar'),
      username: radicale.username,
      password: radicale.password,
    };
    await expect(readTag(source)).rejects.toMatchObject({ name: 'CaldavError', status: 403 });
  });

  it('should throw CaldavError for a missing collection', async () => {
    const source = { ...(await freshSource()), url: radicale.calendarUrl(radicale.username, 'no-such-calendar') };
    await expect(readTag(source)).rejects.toMatchObject({ name: 'CaldavError', status: 404 });
  });

  it('should throw CaldavError without a status for an unreachable URL', async () => {
    // A port that was free a moment ago: nothing listens there, so the connection is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const source = { url: `http://127.0.0.1:${port}/alice/calendar/`, username: 'alice', password: 'Secret-Pa55' };
    const started = Date.now();
    const error = await readTag(source, { timeoutMs: 2_000 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CaldavError);
    expect((error as CaldavError).status).toBeUndefined();
    expect((error as CaldavError).message).toMatch(/ECONNREFUSED/);
    expect((error as CaldavError).message).not.toContain('Secret-Pa55');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('should honour the timeout when the server never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const source = { url: `http://127.0.0.1:${port}/alice/calendar/`, username: 'alice', password: 'pw-123' };
      const range = { start: at('2030-01-07T00:00:00Z'), end: at('2030-01-08T00:00:00Z') };
      for (const attempt of [
        () => readEvents(source, range, { timeoutMs: 300 }),
        () => putEvent(source, 'x', 'BEGIN:VCALENDAR', { timeoutMs: 300 }),
        () => deleteEvent(source, 'x', { timeoutMs: 300 }),
      ]) {
        const started = Date.now();
        const error = await attempt().catch((thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(CaldavError);
        expect((error as CaldavError).message).toMatch(/timed out after 300 ms/);
        expect((error as CaldavError).status).toBeUndefined();
        expect(Date.now() - started).toBeLessThan(1_500);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('should reject a time range that ends before it starts', async () => {
    const source = await freshSource();
    await expect(
      readEvents(source, { start: at('2030-01-08T00:00:00Z'), end: at('2030-01-07T00:00:00Z') }),
    ).rejects.toThrow(RangeError);
  });
});
