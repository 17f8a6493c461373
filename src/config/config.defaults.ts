import type { Assignment, Language, OnRebook, PoolSettings, ResourceConfig } from './config.types.js';

/**
 * What a key left out of slotline.yaml stands for: the one place these values are written. Keys
 * whose absence means "none" or "no limit", and values derived from other keys, are not here.
 */

const DAY_MS = 86_400_000;

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_DATABASE = 'sqlite:./data/slotline.db';

/**
 * `max` is small on purpose: a calendar's bookings commit one after the other (each moves the
 * calendar's version, a row held to the commit), so connections beyond a few only wait on that row,
 * and every waiting backend costs the database CPU. On the bench's 2 cores a storm on one calendar
 * made 22 % more bookings with 5 connections than with 10 (bench/README.md, 2026-12-02, second session).
 */
export const DEFAULT_POOL: PoolSettings = {
  max: 5,
  connectTimeout: 5_000,
  statementTimeout: 5_000,
  idleTimeout: 30_000,
};

export const DEFAULT_HORIZON = 14 * DAY_MS;
export const DEFAULT_MAX_SLOTS = 40;
export const DEFAULT_SYNC_EVERY = 5 * 60_000;
/** Far above any real calendar's feed, far below what would strain memory. */
export const DEFAULT_SOURCE_MAX_BYTES = 10 * 1_048_576;
export const DEFAULT_LANGUAGE: Language = 'en';
export const DEFAULT_ON_REBOOK: OnRebook = 'replace';
export const DEFAULT_ASSIGNMENT: Assignment = 'round_robin';
export const DEFAULT_ON_STALE: ResourceConfig['onStale'] = 'keep';

/** Standard Webhooks' suggested schedule: the waits before each retry, about 28 hours in all. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];
