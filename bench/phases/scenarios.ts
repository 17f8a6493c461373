/** The scenario lines of the results file, from the constants the run used. */
import { EVENTS_PER_FEED } from '../sources.js';
import { FUTURE_BOOKINGS, PAST_BOOKINGS } from '../seed.js';
import {
  SOURCED_ID,
  SOURCES_PER_RESOURCE,
  SOURCES_SYNC_EVERY,
  STORM_CAPACITY,
  STORM_HORIZON_DAYS,
  STORM_ID,
  STORM_RESOURCES,
} from '../scenario.js';

const n = (value: number) => value.toLocaleString('en-US');

export const REFERENCE_SCENARIO =
  'calendar `reference`: 10 resources open 08:00-20:00 every day (Europe/Berlin), 30-minute slots on a ' +
  `15-minute grid, 30-day horizon, max_slots 40, min_notice 0, no buffers; ${n(FUTURE_BOOKINGS)} active bookings ` +
  `over the horizon and ${n(PAST_BOOKINGS)} past ones in the same table. Calendar \`${SOURCED_ID}\`: the same ` +
  `again, and each resource reads ${SOURCES_PER_RESOURCE} ICS feeds of ${EVENTS_PER_FEED} events, synced every ` +
  `${SOURCES_SYNC_EVERY}.`;

export const STORM_SCENARIO =
  `calendar \`${STORM_ID}\`, in the reference scenario's config and database: ${STORM_RESOURCES} resources open ` +
  `00:00-24:00 every day, 15-minute slots on a 15-minute grid, ${STORM_HORIZON_DAYS}-day horizon, max_slots 40, ` +
  `min_notice 0, no bookings seeded: room for ${n(STORM_CAPACITY)} bookings.`;
