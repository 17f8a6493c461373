import type { Config } from '../config/config.types.js';
import { localDateOf } from '../engine/zone.js';
import type { AuditEntry, AuditFields } from '../store/audit.js';
import type { ListedBooking } from '../store/booking.js';
import type { BookingStatus } from '../store/booking.table.js';
import type { BookingFlags } from './booking-flags.js';
import { html, type Html } from './html.js';
import { bookingPath, calendarPath, contactName, localDateTime, localTime } from './present.js';
import { STRINGS } from './strings.js';

export interface ListFilters {
  readonly q?: string;
  readonly status: BookingStatus | 'all';
}

export interface ListExtras {
  readonly error?: string;
  /** Labels of bookings that need attention (outside hours, on time off). */
  readonly flags?: BookingFlags;
  /** The cursor of the next page; and whether this is a later page. */
  readonly next?: string;
  readonly paged?: boolean;
}

/** The bookings list: the search form, a table of one page, and the link to the next. */
export function bookingsList(
  config: Config,
  filters: ListFilters,
  bookings: readonly ListedBooking[],
  { error, flags = new Map(), next: nextCursor, paged = false }: ListExtras,
): Html {
  const names = namesOf(config);
  const pageLink = (cursor?: string) => {
    const query = new URLSearchParams({ ...(filters.q && { q: filters.q }), status: filters.status });
    if (cursor) query.set('cursor', cursor);
    return `/admin/bookings?${query.toString()}`;
  };
  return html`<h1>${STRINGS.bookings}</h1>
    <form method="get" action="/admin/bookings" role="search" class="toolbar">
      <label for="q">${STRINGS.searchLabel}</label>
      <input id="q" name="q" type="search" value="${filters.q ?? ''}" placeholder="${STRINGS.searchHint}" />
      <label for="status">${STRINGS.statusLabel}</label>
      <select id="status" name="status">
        ${Object.entries(STRINGS.statusNames).map(
          ([value, label]) =>
            html`<option value="${value}" ${value === filters.status && html`selected`}>${label}</option>`,
        )}
      </select>
      <button type="submit">${STRINGS.search}</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      bookings.length === 0
        ? html`<p>${STRINGS.noBookings}</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">${STRINGS.columns.when}</th>
                <th scope="col">${STRINGS.columns.contact}</th>
                <th scope="col">${STRINGS.columns.calendar}</th>
                <th scope="col">${STRINGS.columns.resource}</th>
                <th scope="col">${STRINGS.columns.status}</th>
              </tr>
            </thead>
            <tbody>
              ${bookings.map((booking) => {
                const zone = names.zone(booking.calendarId);
                return html`<tr>
                  <td>${localDateTime(zone, booking.start)}</td>
                  <td><a href="${bookingPath(booking.id)}">${contactName(booking)}</a></td>
                  <td>${names.calendar(booking.calendarId)}</td>
                  <td>${names.resource(booking.calendarId, booking.resourceId)}</td>
                  <td>
                    ${STRINGS.statusNames[booking.status]}
                    ${(flags.get(booking.id) ?? []).map((flag) => html` <span class="flag">${flag}</span>`)}
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>`
    }
    <p class="pager">
      ${paged && html`<a href="${pageLink()}">${STRINGS.firstPage}</a>`}
      ${nextCursor && html`<a href="${pageLink(nextCursor)}">${STRINGS.nextPage}</a>`}
    </p>`;
}

/** One booking: when and where, its contact, its history, and the way to cancel it. */
export function bookingDetail(
  config: Config,
  booking: ListedBooking,
  history: readonly AuditEntry[],
  notice?: string,
): Html {
  const names = namesOf(config);
  const zone = names.zone(booking.calendarId);
  const details = Object.entries(isRecord(booking.contactDetails) ? booking.contactDetails : {});
  const row = (label: string, value: string | null) =>
    html`<dt>${label}</dt>
      <dd>${value ?? STRINGS.none}</dd>`;
  return html`<h1>${STRINGS.bookingTitle(contactName(booking))}</h1>
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    <h2>${STRINGS.details}</h2>
    <dl>
      ${row(STRINGS.columns.when, `${localDateTime(zone, booking.start)}–${localTime(zone, booking.end)} (${zone})`)}
      ${row(STRINGS.columns.calendar, names.calendar(booking.calendarId))}
      ${row(STRINGS.columns.resource, names.resource(booking.calendarId, booking.resourceId))}
      ${row(STRINGS.columns.status, STRINGS.statusNames[booking.status] ?? booking.status)}
      ${row(STRINGS.contactId, booking.contactId)} ${row(STRINGS.externalContactId, booking.externalContactId)}
      ${row(STRINGS.createdAt, localDateTime(zone, booking.createdAt))} ${row(STRINGS.createdBy, booking.createdBy)}
      ${
        booking.cancelledAt !== null &&
        html`${row(STRINGS.cancelledAt, localDateTime(zone, booking.cancelledAt))}
        ${row(STRINGS.cancelReason, booking.cancelReason)}`
      }
    </dl>
    <h2>${STRINGS.contactDetails}</h2>
    ${
      details.length === 0
        ? html`<p>${STRINGS.none}</p>`
        : html`<dl>
            ${details.map(([key, value]) => row(key, typeof value === 'string' ? value : JSON.stringify(value)))}
          </dl>`
    }
    <h2>${STRINGS.history}</h2>
    <table>
      <thead>
        <tr>
          <th scope="col">${STRINGS.historyColumns.at}</th>
          <th scope="col">${STRINGS.historyColumns.actor}</th>
          <th scope="col">${STRINGS.historyColumns.action}</th>
          <th scope="col">${STRINGS.historyColumns.change}</th>
        </tr>
      </thead>
      <tbody>
        ${history.map(
          (entry) =>
            html`<tr>
              <td>${localDateTime(zone, entry.at)}</td>
              <td>${entry.actor}</td>
              <td>${STRINGS.actions[entry.action] ?? entry.action}</td>
              <td>${changeText(zone, entry.before, entry.after)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <div class="actions">
      ${
        booking.status === 'active' &&
        html`<form method="get" action="${bookingPath(booking.id)}/move">
            <button type="submit">${STRINGS.moveBooking}</button>
          </form>
          <form method="get" action="${bookingPath(booking.id)}/cancel">
            <button type="submit" class="danger">${STRINGS.cancelBooking}</button>
          </form>`
      }
      <a href="${calendarPath(booking.calendarId, localDateOf(zone, booking.start))}">${STRINGS.backToDay}</a>
    </div>`;
}

/** The cancel step: an optional reason, then the confirmation. */
export function cancelForm(booking: ListedBooking, csrf: string, maxReason: number, error?: string, reason = ''): Html {
  return html`<h1>${STRINGS.cancelTitle}</h1>
    <p>${STRINGS.bookingTitle(contactName(booking))}</p>
    <p>${STRINGS.cancelIntro}</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <form method="post" action="${bookingPath(booking.id)}/cancel" class="stack">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <label for="reason">${STRINGS.reasonLabel}</label>
      <textarea id="reason" name="reason" rows="3" maxlength="${maxReason}">${reason}</textarea>
      <button type="submit" class="danger">${STRINGS.confirmCancellation}</button>
    </form>
    <p><a href="${bookingPath(booking.id)}">${STRINGS.keepBooking}</a></p>`;
}

/** `status: active → cancelled; cancel_reason: → Called in sick`, times local to the calendar. */
function changeText(zone: string, before: AuditFields | null, after: AuditFields | null): string {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])] as (keyof AuditFields)[];
  const show = (key: keyof AuditFields, fields: AuditFields | null) => {
    const value = fields?.[key];
    if (value === undefined || value === null) return '';
    return key.endsWith('_iso') ? localDateTime(zone, Date.parse(value)) : String(value);
  };
  return keys
    .map((key) => {
      const from = show(key, before);
      const to = show(key, after);
      return from === '' ? `${key}: ${to}` : `${key}: ${from} → ${to}`;
    })
    .join('; ');
}

function namesOf(config: Config) {
  const calendars = new Map(config.calendars.map((calendar) => [calendar.id, calendar]));
  return {
    zone: (id: string) => calendars.get(id)?.timezone ?? 'UTC',
    calendar: (id: string) => calendars.get(id)?.name ?? id,
    resource: (calendarId: string, id: string) =>
      calendars.get(calendarId)?.resources.find((resource) => resource.id === id)?.name ?? id,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
