import type { FastifyInstance } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { Availability } from '../booking/availability.service.js';
import type { BookingChanges } from '../booking/booking-changes.service.js';
import type { BookingService } from '../booking/booking.service.js';
import type { TimeOffService } from '../booking/time-off.service.js';
import type { ContactLookup } from '../booking/contact-lookup.service.js';
import type { LiveConfig } from '../config/live-config.js';
import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';

/** What the route modules share; built once by the app. */
export interface RouteContext {
  readonly app: FastifyInstance;
  /** Read `config.current` per request: a reload replaces it. */
  readonly config: LiveConfig;
  readonly store: Store;
  readonly availability: Availability;
  readonly booking: BookingService;
  readonly timeOff: TimeOffService;
  readonly contactLookup: ContactLookup;
  /** The operator's changes to bookings, shared by the API and the dashboard. */
  readonly changes: BookingChanges;
  readonly metrics: Metrics;
  readonly now: () => number;
}

/** Compares secrets in constant time; a length mismatch is no match, never a throw. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
