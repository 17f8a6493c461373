import type { AuditEntryTable } from './audit.table.js';
import type { EmailDeliveryTable } from './email-delivery.table.js';
import type {
  BookingSearchKeyTable,
  BookingTable,
  BookingVersionTable,
  ResourceAssignmentTable,
} from './booking.table.js';
import type { BusyIntervalTable, SourceStateTable } from './source.table.js';
import type { TimeOffTable } from './time-off.table.js';
import type { WebhookDeliveryTable } from './webhook-delivery.table.js';
import type { WritebackTable } from './writeback.table.js';

/** Every table by name, as Kysely types the queries. */
export interface Database {
  bookings: BookingTable;
  booking_search_keys: BookingSearchKeyTable;
  resource_assignments: ResourceAssignmentTable;
  booking_versions: BookingVersionTable;
  busy_intervals: BusyIntervalTable;
  source_states: SourceStateTable;
  writebacks: WritebackTable;
  audit_entries: AuditEntryTable;
  time_off: TimeOffTable;
  webhook_deliveries: WebhookDeliveryTable;
  email_deliveries: EmailDeliveryTable;
}
