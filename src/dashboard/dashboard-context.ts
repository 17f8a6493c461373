import type { BookingChanges } from '../booking/booking-changes.service.js';
import type { LiveConfig } from '../config/live-config.js';
import type { CursorCodec } from '../http/api-cursor.js';
import type { Store } from '../store/store.js';
import type { SessionCodec } from './session.js';

/** What the dashboard's pages share: the app's services, built once in http/app.ts, and its codecs. */
export interface DashboardContext {
  readonly config: LiveConfig;
  readonly store: Store;
  readonly changes: BookingChanges;
  readonly now: () => number;
  /** The codecs of the current config's admin tokens (a reload may change them). */
  readonly sessions: SessionCodec;
  readonly cursors: CursorCodec;
}

/** A string field of a parsed form, or undefined. */
export function formField(body: unknown, name: string): string | undefined {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}
