import type { Language } from '../config/config.types.js';

/** The words of the mails, in the calendar's language, with times in the calendar's zone. */

/** What a mail tells its recipient; `movedAway`: the booking left this staff member for another. */
export type MailKind =
  | 'contact.created'
  | 'contact.cancelled'
  | 'contact.moved'
  | 'contact.replaced'
  | 'contact.reminder'
  | 'resource.created'
  | 'resource.cancelled'
  | 'resource.moved'
  | 'resource.movedAway'
  | 'resource.replaced';

/** The values a sentence may name; a sentence naming one that is missing uses its `short` form. */
export interface MailFacts {
  readonly calendar: string;
  readonly resource: string;
  readonly contact: string;
  readonly start: number;
  readonly end: number;
  /** The other time the sentence names: before a move, or the replacing booking's start. */
  readonly other?: number;
  /** The staff member a booking moved to. */
  readonly otherResource?: string;
  /** Further lines for staff (the calendar's `event_details`), `key: value`. */
  readonly details?: string;
}

interface Sentences {
  readonly subject: string;
  readonly lead: string;
  /** The lead when `other` is not known. */
  readonly short?: string;
}

const EN: Readonly<Record<MailKind, Sentences>> = {
  'contact.created': { subject: 'Confirmed: {calendar}, {when}', lead: 'Your appointment is booked.' },
  'contact.cancelled': { subject: 'Cancelled: {calendar}, {when}', lead: 'Your appointment has been cancelled.' },
  'contact.moved': {
    subject: 'Moved: {calendar}, {when}',
    lead: 'Your appointment has been moved; it was on {other}.',
    short: 'Your appointment has been moved.',
  },
  'contact.replaced': {
    subject: 'Replaced: {calendar}, {when}',
    lead: 'This appointment has been replaced by your new booking on {other}.',
    short: 'This appointment has been replaced by your new booking.',
  },
  'contact.reminder': { subject: 'Reminder: {calendar}, {when}', lead: 'A reminder of your appointment.' },
  'resource.created': { subject: 'New booking: {contact}, {when}', lead: 'New booking with {contact}.' },
  'resource.cancelled': {
    subject: 'Cancelled: {contact}, {when}',
    lead: 'The booking with {contact} has been cancelled.',
  },
  'resource.moved': {
    subject: 'Moved: {contact}, {when}',
    lead: 'The booking with {contact} has been moved; it was on {other}.',
    short: 'The booking with {contact} has been moved.',
  },
  'resource.movedAway': {
    subject: 'Moved: {contact}, {when}',
    lead: 'The booking with {contact} has been moved to {otherResource}, on {other}.',
  },
  'resource.replaced': {
    subject: 'Replaced: {contact}, {when}',
    lead: 'The booking with {contact} has been replaced by their new booking on {other}.',
    short: 'The booking with {contact} has been replaced by a new booking.',
  },
};

const DE: Readonly<Record<MailKind, Sentences>> = {
  'contact.created': { subject: 'Bestätigt: {calendar}, {when}', lead: 'Ihr Termin ist gebucht.' },
  'contact.cancelled': { subject: 'Abgesagt: {calendar}, {when}', lead: 'Ihr Termin wurde abgesagt.' },
  'contact.moved': {
    subject: 'Verschoben: {calendar}, {when}',
    lead: 'Ihr Termin wurde verschoben, er war am {other}.',
    short: 'Ihr Termin wurde verschoben.',
  },
  'contact.replaced': {
    subject: 'Ersetzt: {calendar}, {when}',
    lead: 'Dieser Termin wurde durch Ihre neue Buchung am {other} ersetzt.',
    short: 'Dieser Termin wurde durch Ihre neue Buchung ersetzt.',
  },
  'contact.reminder': { subject: 'Erinnerung: {calendar}, {when}', lead: 'Wir erinnern Sie an Ihren Termin.' },
  'resource.created': { subject: 'Neue Buchung: {contact}, {when}', lead: 'Neue Buchung mit {contact}.' },
  'resource.cancelled': {
    subject: 'Abgesagt: {contact}, {when}',
    lead: 'Die Buchung mit {contact} wurde abgesagt.',
  },
  'resource.moved': {
    subject: 'Verschoben: {contact}, {when}',
    lead: 'Die Buchung mit {contact} wurde verschoben, sie war am {other}.',
    short: 'Die Buchung mit {contact} wurde verschoben.',
  },
  'resource.movedAway': {
    subject: 'Verschoben: {contact}, {when}',
    lead: 'Die Buchung mit {contact} wurde zu {otherResource} verschoben, auf {other}.',
  },
  'resource.replaced': {
    subject: 'Ersetzt: {contact}, {when}',
    lead: 'Die Buchung mit {contact} wurde durch eine neue Buchung am {other} ersetzt.',
    short: 'Die Buchung mit {contact} wurde durch eine neue Buchung ersetzt.',
  },
};

const SENTENCES: Readonly<Record<Language, Readonly<Record<MailKind, Sentences>>>> = { en: EN, de: DE };

const LABELS: Readonly<Record<Language, { what: string; when: string; with: string; who: string }>> = {
  en: { what: 'What', when: 'When', with: 'With', who: 'Who' },
  de: { what: 'Was', when: 'Wann', with: 'Bei', who: 'Wer' },
};

/** A moment as the mails tell it, in the calendar's zone: its day and its time of day. */
interface LocalMoment {
  /** "Tuesday, 1 December 2026" / "Dienstag, 1. Dezember 2026". */
  readonly day: string;
  /** "10:00". */
  readonly time: string;
}

/** "Tuesday, 1 December 2026 at 10:00" / "Dienstag, 1. Dezember 2026 um 10:00 Uhr". */
const MOMENT: Readonly<Record<Language, (moment: LocalMoment) => string>> = {
  en: ({ day, time }) => `${day} at ${time}`,
  de: ({ day, time }) => `${day} um ${time} Uhr`,
};
/** "Tuesday, 1 December 2026" / "Dienstag, 1. Dezember 2026", from the date's parts in the calendar's zone. */
const DAY: Readonly<Record<Language, (date: Partial<Record<Intl.DateTimeFormatPartTypes, string>>) => string>> = {
  en: ({ weekday, day, month, year }) => `${weekday}, ${day} ${month} ${year}`,
  de: ({ weekday, day, month, year }) => `${weekday}, ${day}. ${month} ${year}`,
};
const HOUR_SUFFIX: Readonly<Record<Language, string>> = { en: '', de: ' Uhr' };

/**
 * The formatter of each language and zone, made once: a mail's dates are the platform's names of
 * days and months, read in one `formatToParts` each. A booking writes three mails, and with each
 * date a luxon DateTime formatted field by field a mail took 42-65 µs against 18 µs now
 * (bench/README.md, 2026-12-02, second session).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function localMoment(instant: number, language: Language, timezone: string): LocalMoment {
  const key = `${language} ${timezone}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(language, {
      timeZone: timezone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(key, format);
  }
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const { type, value } of format.formatToParts(instant)) parts[type] = value;
  return { day: DAY[language](parts), time: `${parts.hour}:${parts.minute}` };
}

/** No name in the contact details: how the staff's mail names the caller. */
export const NO_NAME: Readonly<Record<Language, string>> = { en: 'a caller', de: 'einem Anrufer' };

export interface MailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The subject, plain text and HTML of one mail; every value in the HTML is escaped. */
export function mailContent(kind: MailKind, language: Language, timezone: string, facts: MailFacts): MailContent {
  const local = (instant: number) => localMoment(instant, language, timezone);
  const start = local(facts.start);
  const sentences = SENTENCES[language][kind];
  const values: Record<string, string> = {
    calendar: facts.calendar,
    contact: facts.contact,
    when: MOMENT[language](start),
    other: facts.other === undefined ? '' : MOMENT[language](local(facts.other)),
    otherResource: facts.otherResource ?? '',
  };
  const fill = (template: string) => template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
  const lead = fill(facts.other === undefined && sentences.short ? sentences.short : sentences.lead);
  const labels = LABELS[language];
  const rows: [string, string][] = [
    [labels.what, facts.calendar],
    [labels.when, `${start.day}, ${start.time}–${local(facts.end).time}${HOUR_SUFFIX[language]}`],
    [labels.with, facts.resource],
  ];
  if (kind.startsWith('resource.')) rows.push([labels.who, facts.contact]);
  const details = facts.details ? facts.details.split('\n') : [];
  return {
    subject: fill(sentences.subject),
    text: [lead, '', ...rows.map(([label, value]) => `${label}: ${value}`), ...details, ''].join('\n'),
    html: [
      `<p>${escapeHtml(lead)}</p>`,
      '<table>',
      ...rows.map(
        ([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
      ),
      '</table>',
      ...details.map((line) => `<p>${escapeHtml(line)}</p>`),
    ].join('\n'),
  };
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
