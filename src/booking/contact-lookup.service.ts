import type { LiveConfig } from '../config/live-config.js';
import { contactNames, detailText, type ContactProperties, type TelliContact } from '../contract/contact-lookup.js';
import { formatInstant } from '../contract/timestamp.js';
import { toE164 } from '../shared/phone-number.js';
import type { BookingStore } from '../store/booking.store.js';
import { speakTimes } from './reasons.js';

export interface ContactLookupDeps {
  readonly store: Pick<BookingStore, 'phoneBookings'>;
  readonly config: LiveConfig;
  readonly now: () => number;
}

export interface ContactLookup {
  /**
   * The caller with this number as telli should greet them: the contact of the booking made last
   * with it, and its upcoming appointments. Undefined for a number no booking has, or a contact
   * without a usable name.
   */
  lookup(phoneNumber: string): Promise<TelliContact | undefined>;
}

export function createContactLookup({ store, config, now }: ContactLookupDeps): ContactLookup {
  return {
    async lookup(phoneNumber) {
      // telli sends the caller's number in E.164; a national one cannot be told apart by country.
      const phone = toE164(phoneNumber, undefined);
      if (phone === undefined) return undefined;
      const { latest, upcoming } = await store.phoneBookings(phone, now());
      const names = latest && contactNames(latest.contactDetails);
      if (!latest || !names) return undefined;
      // A calendar taken out of the config no longer takes calls about its bookings.
      const served = upcoming.filter((booking) => config.calendar(booking.calendarId) !== undefined);
      const email = detailText(latest.contactDetails, 'email');
      return {
        first_name: names.first,
        last_name: names.last,
        ...(email === undefined ? {} : { email }),
        ...(latest.externalContactId === null ? {} : { external_id: latest.externalContactId }),
        phone_number: phone,
        properties: properties(served, config),
      };
    },
  };
}

function properties(
  upcoming: readonly { readonly calendarId: string; readonly start: number }[],
  config: LiveConfig,
): ContactProperties {
  const next = upcoming[0];
  const calendar = next && config.calendar(next.calendarId);
  if (!next || !calendar) return { upcoming_appointments: 0 };
  return {
    next_appointment: speakTimes(calendar.language, calendar.timezone, [next.start]),
    next_appointment_iso: formatInstant(next.start),
    next_appointment_calendar: calendar.name,
    upcoming_appointments: upcoming.length,
  };
}
