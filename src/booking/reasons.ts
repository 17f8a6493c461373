import { DateTime } from 'luxon';
import type { Language } from '../config/config.types.js';
import type { BookRequestProblem } from '../contract/book-request.js';
import type { Refusal } from '../engine/availability.js';

/**
 * Failure reasons are read aloud by the agent's language model: short sentences, no internals,
 * times in the calendar's zone and language. The code behind each is what the logs carry.
 */
export type ReasonCode = BookRequestProblem | Refusal | 'booking_disabled' | 'already_booked' | 'unavailable';

const SENTENCES: Record<Language, Record<ReasonCode, string>> = {
  en: {
    not_an_object: 'The booking request could not be read.',
    nested_too_deep: 'The booking details are nested too deeply to be saved. Please contact us another way to book.',
    missing_contact:
      'I could not tell who this appointment is for, so it was not booked. Please contact us another way to book.',
    missing_start: 'Please choose a time to book.',
    bad_start: 'I could not read that time.',
    past: 'That time has already passed.',
    too_soon: 'That time is too soon to book.',
    beyond_horizon: 'That time is too far ahead to book.',
    closed: 'We are closed at that time.',
    off_grid: 'Appointments cannot start at that time.',
    taken: 'That time is no longer available.',
    booking_disabled: 'This calendar does not take bookings.',
    already_booked: 'You already have an appointment on {time}.',
    unavailable: "I can't book right now. Please try again in a few minutes.",
  },
  de: {
    not_an_object: 'Die Buchungsanfrage konnte nicht gelesen werden.',
    nested_too_deep:
      'Die Buchungsangaben sind zu tief verschachtelt, um sie zu speichern. Bitte buchen Sie den Termin auf einem anderen Weg.',
    missing_contact:
      'Ich konnte nicht erkennen, für wen dieser Termin ist, deshalb wurde er nicht gebucht. Bitte buchen Sie den Termin auf einem anderen Weg.',
    missing_start: 'Bitte wählen Sie eine Uhrzeit für den Termin.',
    bad_start: 'Diese Uhrzeit konnte ich nicht lesen.',
    past: 'Dieser Zeitpunkt ist bereits vorbei.',
    too_soon: 'Dieser Termin ist zu kurzfristig.',
    beyond_horizon: 'Dieser Termin liegt zu weit in der Zukunft.',
    closed: 'Zu dieser Zeit haben wir geschlossen.',
    off_grid: 'Zu dieser Uhrzeit kann kein Termin beginnen.',
    taken: 'Dieser Termin ist leider nicht mehr frei.',
    booking_disabled: 'Über diesen Kalender können keine Termine gebucht werden.',
    already_booked: 'Sie haben bereits einen Termin am {time}.',
    unavailable: 'Ich kann gerade keinen Termin buchen. Bitte versuchen Sie es in ein paar Minuten noch einmal.',
  },
};

const ALTERNATIVES: Record<Language, { one: string; many: string; none: string; and: string }> = {
  en: {
    one: 'The nearest free time is {times}.',
    many: 'The nearest free times are {times}.',
    none: 'There are no other free times at the moment.',
    and: 'and',
  },
  de: {
    one: 'Der nächste freie Termin ist {times}.',
    many: 'Die nächsten freien Termine sind {times}.',
    none: 'Derzeit sind keine anderen Termine frei.',
    and: 'und',
  },
};

const DAY_FORMAT: Record<Language, string> = { en: 'cccc d LLLL', de: 'cccc, d. LLLL' };
const AT: Record<Language, string> = { en: 'at', de: 'um' };
const HOUR_SUFFIX: Record<Language, string> = { en: '', de: ' Uhr' };

/** The sentence for a failure, with the free alternatives when there are any to offer. */
export function reasonText(
  language: Language,
  timezone: string,
  code: ReasonCode,
  options: { alternatives?: readonly number[]; existing?: number } = {},
): string {
  let sentence = SENTENCES[language][code];
  if (options.existing !== undefined) {
    sentence = sentence.replace('{time}', speakTimes(language, timezone, [options.existing]));
  }
  const { alternatives } = options;
  if (!alternatives) return sentence;
  const words = ALTERNATIVES[language];
  if (alternatives.length === 0) return `${sentence} ${words.none}`;
  const template = alternatives.length === 1 ? words.one : words.many;
  return `${sentence} ${template.replace('{times}', speakTimes(language, timezone, alternatives))}`;
}

/** "Tuesday 1 December at 10:30 and 11:00": times of one day share the day's name. */
export function speakTimes(language: Language, timezone: string, instants: readonly number[]): string {
  const days = new Map<string, string[]>();
  for (const instant of instants) {
    const local = DateTime.fromMillis(instant, { zone: timezone }).setLocale(language);
    const day = local.toFormat(DAY_FORMAT[language]);
    days.set(day, [...(days.get(day) ?? []), local.toFormat('HH:mm')]);
  }
  const phrases = [...days].map(
    ([day, times]) => `${day} ${AT[language]} ${joinWords(language, times)}${HOUR_SUFFIX[language]}`,
  );
  return joinWords(language, phrases);
}

function joinWords(language: Language, words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${ALTERNATIVES[language].and} ${words[words.length - 1]}`;
}
