/** What a conformance check is given, what it reports, and what its checks pass between them. */

export type Outcome = 'pass' | 'warn' | 'fail';

export interface CheckOptions {
  readonly availableUrl: string;
  /** Without it the booking checks are skipped. */
  readonly bookUrl?: string;
  /** The telli API key: signs every request and enables the checks that bad signatures are refused. */
  readonly key?: string;
  /** `false` books nothing on the target. */
  readonly book: boolean;
  /** A Slotline admin token: the bookings the check made are cancelled at the end. */
  readonly adminToken?: string;
  readonly timeoutMs?: number;
}

export interface RequestRecord {
  readonly url: string;
  readonly status?: number;
  /** Why there was no answer: refused connection, timeout, ... */
  readonly error?: string;
  readonly ms: number;
}

export interface CheckResult {
  readonly name: string;
  readonly outcome: Outcome;
  readonly detail: string;
  readonly requests: readonly RequestRecord[];
}

/** A booking the target confirmed: it stays in the business's calendar until someone cancels it. */
export interface MadeBooking {
  /** The Book URL, which names the calendar. */
  readonly bookUrl: string;
  /** The start as sent, ISO 8601. */
  readonly start: string;
  readonly contactId: string;
}

export interface CheckReport {
  readonly availableUrl: string;
  readonly bookUrl?: string;
  readonly results: readonly CheckResult[];
  readonly summary: { readonly passed: number; readonly warned: number; readonly failed: number };
  /** Every booking the check made on the target, in the order made. */
  readonly bookings: readonly MadeBooking[];
  /** With an admin token: what was cancelled at the end. */
  readonly cleanup?: Cleanup;
}

/** The check's bookings cancelled through a Slotline admin API, and what happened, in words. */
export interface Cleanup {
  readonly cancelled: readonly MadeBooking[];
  readonly detail: string;
}

export interface Exchange {
  readonly request: RequestRecord;
  /** The answer's body; undefined when there was no answer. */
  readonly text?: string;
}

export type Signing = 'key' | 'none' | 'wrong';
export type Post = (url: string, payload: AvailablePayload | BookPayload, signing?: Signing) => Promise<Exchange>;

export interface Slot {
  readonly start_iso: string;
  readonly end_iso: string;
}

export interface AvailablePayload {
  readonly contact_id: string;
  readonly contact_details: { readonly name: string };
}

export interface BookPayload {
  readonly contact_id: string;
  readonly start_iso: string;
  readonly contact_details: { readonly name: string };
}
