import ICAL from 'ical.js';
import { IANAZone } from 'luxon';
import type { Interval } from '../engine/interval.js';
import { wallTimeInstant } from '../engine/zone.js';
import { errorMessage } from '../shared/error-message.js';

/**
 * Busy time from iCalendar text (an ICS feed, or the objects of a CalDAV collection). Pure: no I/O,
 * no global state. Recurrence expansion, EXDATE and RECURRENCE-ID overrides are ical.js's; wall time
 * is turned into instants with the IANA database (luxon) wherever the feed does not define its own VTIMEZONE.
 */

export interface BusyOptions {
  /** Only busy time overlapping this window is returned; recurrences are expanded only across it. */
  readonly window: Interval;
  /** IANA zone for floating times and all-day events (the calendar's zone). */
  readonly zone: string;
  /** Events whose UID this returns true for are left out (Slotline's own written-back bookings). */
  readonly ignoreUid?: (uid: string) => boolean;
}

export class IcalParseError extends Error {
  override readonly name = 'IcalParseError';
}

/**
 * ical.js keeps every date's weekday and week number it ever computed in two objects that only
 * grow. A rule that never matches (`FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`) walks day after day inside
 * one iterator step for the whole budget: the caches grew by about 60 MB a second, past the worker's
 * heap limit, and V8 ended the whole process rather than the worker. Both caches are turned off
 * (an object that keeps nothing); each value is then computed again, a few additions.
 */
const keepsNothing = (): Record<number, number> => new Proxy({}, { set: () => true, defineProperty: () => true });
ICAL.Time._dowCache = keepsNothing();
ICAL.Time._wnCache = keepsNothing();

/**
 * Occurrences visited per call, across all its events, on the way to the window's end. Real
 * calendars stay far below it (a daily series since 2000 visits under 10,000); a hostile one
 * (FREQ=SECONDLY since 1970, or a thousand such events) fails after about two seconds of work.
 */
const MAX_OCCURRENCES = 100_000;

/** Busy intervals, sorted by start (not merged). Throws IcalParseError when the text is not iCalendar. */
export function busyFromIcal(text: string, options: BusyOptions): Interval[] {
  return busyFromIcalObjects([text], options);
}

/**
 * The same for CalDAV, which returns one VCALENDAR per event resource (the recurrence master and its
 * RECURRENCE-ID overrides together). One broken object fails the whole call, since leaving it out
 * would show its time as free; the objects share one MAX_OCCURRENCES.
 */
export function busyFromIcalObjects(texts: readonly string[], options: BusyOptions): Interval[] {
  const context: Context = { options, busy: [], occurrencesLeft: MAX_OCCURRENCES };
  for (const text of texts) {
    for (const calendar of parseCalendars(text, options.zone)) collectBusy(calendar, context);
  }
  return context.busy.sort((a, b) => a.start - b.start || a.end - b.end);
}

interface Context {
  readonly options: BusyOptions;
  readonly busy: Interval[];
  occurrencesLeft: number;
}

function parseCalendars(text: string, zone: string): Calendar[] {
  let jcal: unknown;
  try {
    jcal = ICAL.parse(text);
  } catch (error) {
    throw new IcalParseError(`Not iCalendar: ${errorMessage(error)}`, { cause: error });
  }
  // ICAL.parse returns one component, or an array of them when the text holds several (or none).
  const components: unknown[] = Array.isArray(jcal) && typeof jcal[0] === 'string' ? [jcal] : (jcal as unknown[]);
  if (components.length === 0) throw new IcalParseError('Not iCalendar: no VCALENDAR');
  return components.map((component) => {
    const calendar = new Calendar(component as unknown[], zone);
    if (calendar.name !== 'vcalendar') throw new IcalParseError(`Not iCalendar: found ${calendar.name}`);
    return calendar;
  });
}

interface Series {
  readonly uid: string;
  readonly masters: ICAL.Component[];
  readonly overrides: ICAL.Component[];
}

function collectBusy(calendar: Calendar, context: Context): void {
  // ICAL.Event relates every RECURRENCE-ID component of the calendar to a master unless given its
  // exceptions, whatever their UID, so in a whole feed the series are grouped by UID here.
  const series = new Map<string | ICAL.Component, Series>();
  for (const vevent of calendar.getAllSubcomponents('vevent')) {
    const uid = stringProperty(vevent, 'uid') ?? '';
    if (uid !== '' && context.options.ignoreUid?.(uid)) continue;
    const key = uid || vevent; // an event without UID stands alone
    const group = series.get(key) ?? { uid, masters: [], overrides: [] };
    (vevent.hasProperty('recurrence-id') ? group.overrides : group.masters).push(vevent);
    series.set(key, group);
  }

  for (const { uid, masters, overrides } of series.values()) {
    try {
      // An override without its master (an invitation to one occurrence only) is a plain event.
      if (masters.length === 0) for (const override of overrides) addSingle(override, context);
      for (const master of masters) addSeries(new ICAL.Event(master, { exceptions: overrides }), context);
    } catch (error) {
      if (error instanceof IcalParseError) throw error;
      throw new IcalParseError(`Unreadable event ${uid}: ${errorMessage(error)}`, { cause: error });
    }
  }
}

function addSingle(vevent: ICAL.Component, context: Context): void {
  if (!isBusy(vevent)) return;
  const event = new ICAL.Event(vevent, { exceptions: [] });
  addIfInWindow(event.startDate, event.endDate, context);
}

function addSeries(event: ICAL.Event, context: Context): void {
  const { window, zone } = context.options;
  // A cancelled master cancels the whole series; a transparent one may still have opaque overrides.
  if (stringProperty(event.component, 'status')?.toUpperCase() === 'CANCELLED') return;
  if (event.isRecurring()) includeStartInRecurrence(event);

  // Occurrences come in order of their original start, so iteration must reach the original start
  // of any override that was moved into the window from later on.
  let horizon = window.end;
  for (const exception of Object.values(event.exceptions)) {
    const moved = { start: instantOf(exception.startDate, zone), end: instantOf(exception.endDate, zone) };
    if (moved.start < window.end && moved.end > window.start) {
      horizon = Math.max(horizon, instantOf(exception.recurrenceId, zone) + 1);
    }
  }

  const occurrences = event.iterator();
  for (;;) {
    const occurrence = occurrences.next();
    if (!occurrence || instantOf(occurrence, zone) >= horizon) return;
    if (--context.occurrencesLeft < 0) {
      throw new IcalParseError(`More than ${MAX_OCCURRENCES} occurrences before the window ends (at ${event.uid})`);
    }
    // The master itself, or the override (moved, cancelled, ...) of this one occurrence.
    const details = event.getOccurrenceDetails(occurrence);
    if (!isBusy(details.item.component)) continue;
    if (details.item === event && occurrence.compare(event.startDate) === 0) {
      // ical.js ends every occurrence at its start plus the elapsed DTSTART-DTEND time, added as wall
      // time; where the first one crosses a DST change that contradicts its own DTEND, so use that.
      addIfInWindow(event.startDate, event.endDate, context);
    } else {
      addIfInWindow(details.startDate, details.endDate, context);
    }
  }
}

/**
 * DTSTART is always the first occurrence (RFC 5545), but ical.js 2.2 yields it only when an RRULE
 * does: not for RDATE-only events, nor when DTSTART does not match the rule (kewisch/ical.js#294).
 * Then it is added as an RDATE, and only then: a second copy would survive an EXDATE of DTSTART.
 */
function includeStartInRecurrence(event: ICAL.Event): void {
  const start = event.startDate;
  const rules = event.component.getAllProperties('rrule').map((rule) => rule.getFirstValue() as ICAL.Recur);
  if (rules.some((rule) => rule.iterator(start).next()?.compare(start) === 0)) return;
  event.component.addPropertyWithValue('rdate', start.clone());
}

function isBusy(vevent: ICAL.Component): boolean {
  return (
    stringProperty(vevent, 'status')?.toUpperCase() !== 'CANCELLED' &&
    stringProperty(vevent, 'transp')?.toUpperCase() !== 'TRANSPARENT'
  );
}

function addIfInWindow(start: ICAL.Time, end: ICAL.Time, { options: { window, zone }, busy }: Context): void {
  const interval = { start: instantOf(start, zone), end: instantOf(end, zone) };
  // Zero-length (DTSTART alone) and inverted events block nothing.
  if (interval.start >= interval.end) return;
  if (interval.start < window.end && interval.end > window.start) busy.push(interval);
}

/**
 * Epoch ms of an ical.js time. Dates are local midnights in the calendar's zone, so an all-day event
 * spans whole local days (23 or 25 hours across DST); floating times are wall time in that zone. All
 * other times carry a zone that knows its offsets (the feed's VTIMEZONE, UTC, or an IanaTimezone).
 */
function instantOf(time: ICAL.Time, calendarZone: string): number {
  if (time.isDate || time.zone === ICAL.Timezone.localTimezone) return wallTimeInstant(calendarZone, wallAsUtc(time));
  return time.toUnixTime() * 1000;
}

/** An ical.js time's wall clock as epoch ms read as UTC; a date is its midnight. */
function wallAsUtc(time: ICAL.Time): number {
  return time.isDate
    ? Date.UTC(time.year, time.month - 1, time.day)
    : Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
}

/**
 * A zone ical.js can use whose offsets come from the IANA database (through luxon), for TZIDs the
 * feed references without defining them in a VTIMEZONE.
 */
class IanaTimezone extends ICAL.Timezone {
  readonly #iana: string;

  /** `tzid` as the feed names it, `iana` the zone it stands for. */
  constructor(tzid: string, iana: string) {
    super({ tzid });
    this.#iana = iana;
  }

  /** Seconds to add to UTC to get the given wall time in this zone. */
  override utcOffset(time: ICAL.Time): number {
    const wall = Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
    return (wall - wallTimeInstant(this.#iana, wall)) / 1000;
  }
}

/**
 * A VCALENDAR whose TZID references always resolve. ical.js 2 looks TZIDs up in the VTIMEZONEs of
 * the calendar they occur in (Component#getTimeZoneByID at the root) before falling back to its
 * global TimezoneService; overriding that lookup on the root keeps each parse self-contained, instead
 * of registering one feed's zones process-wide where they would leak into other feeds.
 */
class Calendar extends ICAL.Component {
  readonly #zone: string;
  readonly #fallbacks = new Map<string, ICAL.Timezone>();

  constructor(jcal: unknown[], zone: string) {
    super(jcal);
    this.#zone = zone;
  }

  override getTimeZoneByID(tzid: string): ICAL.Timezone {
    // Typed as non-null, but null when the calendar has no VTIMEZONE with this TZID.
    const own = super.getTimeZoneByID(tzid) as ICAL.Timezone | null;
    if (own) return own;
    let fallback = this.#fallbacks.get(tzid);
    if (!fallback) {
      // Google often omits VTIMEZONEs for IANA names. A name neither IANA nor known Windows is
      // most likely the calendar owner's own zone, so it falls back to the calendar's zone.
      const iana = IANAZone.isValidZone(tzid) ? tzid : (WINDOWS_ZONES[tzid] ?? this.#zone);
      fallback = new IanaTimezone(tzid, iana);
      this.#fallbacks.set(tzid, fallback);
    }
    return fallback;
  }
}

/**
 * Outlook and Exchange use Windows zone names; they usually ship a VTIMEZONE, but not always. The
 * common ones, from CLDR's windowsZones.xml (territory 001); any other is treated as the calendar's zone.
 */
const WINDOWS_ZONES: Readonly<Record<string, string>> = {
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Romance Standard Time': 'Europe/Paris',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Central European Standard Time': 'Europe/Warsaw',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'FLE Standard Time': 'Europe/Kiev',
  'GTB Standard Time': 'Europe/Bucharest',
  'Russian Standard Time': 'Europe/Moscow',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'Pacific Standard Time': 'America/Los_Angeles',
  'India Standard Time': 'Asia/Kolkata',
  'China Standard Time': 'Asia/Shanghai',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'AUS Eastern Standard Time': 'Australia/Sydney',
};

function stringProperty(component: ICAL.Component, name: string): string | undefined {
  const value = component.getFirstPropertyValue(name);
  return typeof value === 'string' ? value : undefined;
}
