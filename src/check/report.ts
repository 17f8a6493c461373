import type { CheckReport, CheckResult, MadeBooking } from './check.types.js';
import { CONTACT_PREFIX } from './exchange.js';

/**
 * One line per check under a header, columns aligned, then the counts, what was cancelled, and
 * the bookings it made that stay on the target.
 */
export function renderTable(report: CheckReport): string {
  const { passed, warned, failed } = report.summary;
  const lines = [
    ...aligned([
      ['check', 'result', 'detail'],
      ...report.results.map((result) => [result.name, result.outcome, withLatency(result)]),
    ]),
    '',
    `${passed} passed, ${warned} warned, ${failed} failed`,
  ];
  if (report.cleanup) lines.push('', `The check's bookings: ${report.cleanup.detail}.`);
  const left = leftOnTarget(report);
  if (left.length > 0) {
    const rows = left.map(({ bookUrl, start, contactId }) => [bookUrl, start, contactId]);
    lines.push('', bookingsNote(left), ...aligned([['calendar', 'start', 'contact id'], ...rows]));
  }
  return lines.join('\n');
}

/** The whole report, every request with its latency included, and the note on the bookings left. */
export function renderJson(report: CheckReport): string {
  const left = leftOnTarget(report);
  const note = left.length > 0 ? { bookingsNote: bookingsNote(left) } : {};
  return JSON.stringify({ ...report, ...note }, null, 2);
}

/** The bookings the check made and did not cancel. */
function leftOnTarget({ bookings, cleanup }: CheckReport): readonly MadeBooking[] {
  return cleanup ? bookings.filter((booking) => !cleanup.cancelled.includes(booking)) : bookings;
}

/** Says that the check's bookings stay on the target, and how to avoid them next time. */
function bookingsNote(bookings: readonly MadeBooking[]): string {
  const made =
    bookings.length === 1
      ? 'This check made 1 booking on the target; it stays in the calendar until you cancel it there'
      : `This check made ${bookings.length} bookings on the target; they stay in the calendar until you cancel them there`;
  return (
    `${made} (contact ids start with "${CONTACT_PREFIX}"). Run with --no-book to check without booking, ` +
    'or, against Slotline, with --admin-token to cancel them at the end.'
  );
}

/** Rows as lines, every column but the last padded to its widest cell. */
function aligned(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
  );
}

function withLatency({ detail, requests }: CheckResult): string {
  if (requests.length === 0) return detail;
  if (requests.length === 1) return `${detail} (${requests[0]!.ms} ms)`;
  const max = Math.max(...requests.map((request) => request.ms));
  return `${detail} (${requests.length} requests, max ${max} ms)`;
}
