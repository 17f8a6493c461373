import ICAL from 'ical.js';
import { expect } from 'vitest';
import type { ReceivedMail } from './smtp-receiver.js';

/** The VEVENT of an iCalendar text, and its METHOD. */
function readInvite(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const event = calendar.getFirstSubcomponent('vevent');
  if (!event) throw new Error('no VEVENT');
  const value = (name: string) => event.getFirstPropertyValue(name);
  return {
    method: calendar.getFirstPropertyValue('method'),
    uid: value('uid'),
    sequence: value('sequence'),
    start: (value('dtstart') as ICAL.Time).toJSDate().toISOString(),
    end: (value('dtend') as ICAL.Time).toJSDate().toISOString(),
    status: value('status'),
    summary: value('summary'),
    organizer: value('organizer'),
    attendee: value('attendee'),
  };
}

/** The invitation part of a received mail (text/calendar, its method in the content type), read. */
export function inviteOf(received: ReceivedMail) {
  const parts = received.mail.attachments.filter((part) => part.contentType === 'text/calendar');
  expect(parts).toHaveLength(1);
  const part = parts[0]!;
  const contentType = part.headers.get('content-type') as { params: Record<string, string> };
  const invite = readInvite(part.content.toString('utf8'));
  expect(contentType.params.method).toBe(invite.method);
  // The same invitation as a file, for clients that only show attachments.
  const file = received.mail.attachments.find((attachment) => attachment.filename === 'invite.ics');
  expect(file?.content.toString('utf8')).toBe(part.content.toString('utf8'));
  return invite;
}
