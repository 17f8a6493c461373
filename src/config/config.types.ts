/** The validated, normalised configuration. Every duration is in milliseconds. */

import type { SlotRules } from '../engine/availability.js';
import type { Schedule } from '../engine/schedule.js';

export type { Schedule, Weekday, WallRange } from '../engine/schedule.js';

export type OnRebook = 'replace' | 'keep_both' | 'reject';
export type Assignment = 'round_robin' | 'least_busy' | 'ordered';
export type Language = 'en' | 'de';

/** A calendar elsewhere whose events are busy time for a resource. */
export interface SourceConfig {
  /** Stable across restarts and processes: calendar, resource and a hash of the URL. */
  readonly id: string;
  readonly type: 'ics' | 'caldav';
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** CalDAV only: every booking of the resource becomes an event there. */
  readonly writeBookings: boolean;
  /** The most a download from it may hold, in bytes; a larger answer fails the sync. */
  readonly maxBytes: number;
}

export interface ResourceConfig {
  readonly id: string;
  readonly name: string;
  readonly sources: readonly SourceConfig[];
  readonly syncEvery: number;
  /** What a source that has not synced for long means: keep its last data, or block the resource. */
  readonly onStale: 'keep' | 'block';
  /** Where the staff member gets mail about their bookings (`email.to_resource`); none: no mail. */
  readonly email?: string;
  /** The calendar's weekly hours unless the resource sets its own; calendar overrides apply, resource overrides win. */
  readonly schedule: Schedule;
}

/** A calendar: its slot rules (durations in ms; `maxPerDay` Infinity when not set) and the rest. */
export interface CalendarConfig extends SlotRules {
  readonly id: string;
  readonly name: string;
  readonly language: Language;
  /**
   * ISO 3166-1 alpha-2 (`DE`): national phone numbers of contacts are read as this country's.
   * Absent when neither the config nor the time zone names one: then only international numbers are read.
   */
  readonly country?: string;
  readonly onRebook: OnRebook;
  readonly booking: boolean;
  readonly assignment: Assignment;
  /** Token of the bookings feed (GET /calendars/{id}/bookings.ics?token=...); none: no feed. */
  readonly feedToken?: string;
  /** Keys of `contact_details` written into the description of written-back events. */
  readonly eventDetails: readonly string[];
  /** At least one; a calendar without `resources` gets one resource with the calendar's id and name. */
  readonly resources: readonly ResourceConfig[];
}

/** The PostgreSQL connection pool of one process; durations in ms. Unused with SQLite. */
export interface PoolSettings {
  /** Most connections this process opens. */
  readonly max: number;
  /** How long to wait for a connection, from the pool or the network. */
  readonly connectTimeout: number;
  /** Longest a statement may run; the server cancels it after that. */
  readonly statementTimeout: number;
  /** How long an unused connection stays open. */
  readonly idleTimeout: number;
}

/** A bearer token of the business's API; its name is who did what in the audit trail. */
export interface AdminToken {
  readonly name: string;
  readonly token: string;
}

/** A mailbox: a bare address and, when written `Name <address>`, its display name. */
export interface Mailbox {
  readonly name?: string;
  readonly address: string;
}

/** Confirmations, changes and reminders by e-mail, sent from the outbox. */
export interface EmailConfig {
  /** `smtp://` (STARTTLS when offered) or `smtps://` (implicit TLS), credentials included: a secret, never logged. */
  readonly smtpUrl: string;
  readonly from: Mailbox;
  /** Mail the caller at `contact_details.email` when it holds a valid address. */
  readonly toContact: boolean;
  /** Mail the staff member at their resource's `email`. */
  readonly toResource: boolean;
  /** How long before the start the caller is reminded, in ms; none: no reminder. */
  readonly remindBefore?: number;
  /** The waits before each retry of a mail the server did not take, in ms; an attempt after the last one gives up. */
  readonly retrySchedule: readonly number[];
}

/** Every kind of change a webhook can tell about: the audit trail's actions. */
export const WEBHOOK_EVENTS = [
  'booking.created',
  'booking.replaced',
  'booking.cancelled',
  'booking.moved',
  'time_off.created',
  'time_off.deleted',
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** An endpoint that receives signed events (Standard Webhooks). */
export interface WebhookConfig {
  /** Stable across restarts and processes: a hash of the URL; deliveries name their endpoint by it. */
  readonly key: string;
  readonly url: string;
  /** The signing key: what follows `whsec_`, the key's bytes in base64. */
  readonly secret: string;
  readonly events: ReadonlySet<WebhookEvent>;
  /** The calendars whose changes it receives; undefined: every calendar. */
  readonly calendars?: ReadonlySet<string>;
  /** The waits before each retry, in ms; an attempt after the last one gives up. */
  readonly retrySchedule: readonly number[];
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: string;
  readonly databasePool: PoolSettings;
  /** Non-empty keys only; none means requests are accepted unsigned. */
  readonly signingKeys: readonly string[];
  /** Bearer token that GET /metrics requires; none means /metrics is open. */
  readonly metricsToken?: string;
  /** The business's API (`/api/v1`, `/openapi.json`, `/docs`); none: it answers 404. */
  readonly admin?: { readonly tokens: readonly AdminToken[] };
  /** E-mail to callers and staff; none: no mail is sent. */
  readonly email?: EmailConfig;
  readonly calendars: readonly CalendarConfig[];
  readonly webhooks: readonly WebhookConfig[];
}
