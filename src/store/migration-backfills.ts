import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { contactPhone } from '../shared/phone-number.js';
import { searchKeys } from './search-keys.js';

/** Data migrations that fill a new column or table from the rows already there. */

/**
 * Keys for the bookings made before search keys existed, in batches by id (64 keys at most each,
 * so a batch stays within the dialects' limits on bound parameters). It uses today's key
 * rules, not a frozen copy: keys must match what the running code searches for.
 */
export async function backfillSearchKeys(db: Kysely<Database>): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('bookings')
      .select(['id', 'contact_id', 'external_contact_id', 'contact_details'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(100)
      .execute();
    const keys = rows.flatMap((row) =>
      searchKeys({
        contactId: row.contact_id,
        externalContactId: row.external_contact_id,
        contactDetails: JSON.parse(row.contact_details),
      }).map((key) => ({ booking_id: row.id, key })),
    );
    if (keys.length > 0) await db.insertInto('booking_search_keys').values(keys).execute();
    const last = rows.at(-1);
    if (!last) return;
    after = last.id;
  }
}

/**
 * Phone numbers of the bookings made before they were stored. Migrations do not know the
 * calendars' countries, so only numbers written with a leading `+` and their country code are
 * read; a national number of an older booking stays unmatched until the contact books again.
 */
export async function backfillPhoneNumbers(db: Kysely<Database>): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('bookings')
      .select(['id', 'contact_details'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .execute();
    for (const row of rows) {
      const phone = contactPhone(JSON.parse(row.contact_details), undefined);
      if (phone !== null)
        await db.updateTable('bookings').set({ phone_e164: phone }).where('id', '=', row.id).execute();
    }
    const last = rows.at(-1);
    if (!last) return;
    after = last.id;
  }
}
