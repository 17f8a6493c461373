import type { CalendarConfig } from '../config/config.types.js';
import type { ListedBooking } from '../store/booking.js';
import type { TimeOffBlock } from './booking-flags.js';
import { html, type Html } from './html.js';
import { bookingPath, calendarPath, contactName, localDateTime, timeOffPath } from './present.js';
import { STRINGS } from './strings.js';

/** What the time off form holds: local dates and times of the calendar's zone, as typed. */
export interface TimeOffFormValues {
  readonly resource: string;
  readonly startDate: string;
  readonly startTime: string;
  readonly endDate: string;
  readonly endTime: string;
  readonly note: string;
}

const resourceName = (calendar: CalendarConfig, id: string | null) =>
  id === null ? STRINGS.wholeCalendar : (calendar.resources.find((resource) => resource.id === id)?.name ?? id);

const when = (calendar: CalendarConfig, block: { start: number; end: number }) =>
  `${localDateTime(calendar.timezone, block.start)} – ${localDateTime(calendar.timezone, block.end)}`;

/** The time off of the dates shown, each with its `Remove` button. */
export function timeOffList(calendar: CalendarConfig, blocks: readonly TimeOffBlock[], csrf: string): Html {
  return html`<h2>${STRINGS.timeOff}</h2>
    ${
      blocks.length === 0
        ? html`<p class="muted">${STRINGS.noTimeOff}</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">${STRINGS.columns.when}</th>
                <th scope="col">${STRINGS.columns.resource}</th>
                <th scope="col">${STRINGS.noteColumn}</th>
                <th scope="col"><span class="visually-hidden">${STRINGS.actionsColumn}</span></th>
              </tr>
            </thead>
            <tbody>
              ${blocks.map(
                (block) =>
                  html`<tr>
                    <td>${when(calendar, block)}</td>
                    <td>${resourceName(calendar, block.resourceId)}</td>
                    <td>${block.note ?? STRINGS.none}</td>
                    <td>
                      <form method="post" action="/admin/time-off/${encodeURIComponent(block.id)}/remove">
                        <input type="hidden" name="_csrf" value="${csrf}" />
                        <button type="submit" class="danger">${STRINGS.remove}</button>
                      </form>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}

/** The form to add time off: one resource or the whole calendar, local start and end, a note. */
export function timeOffForm(calendar: CalendarConfig, csrf: string, values: TimeOffFormValues, error?: string): Html {
  const field = (id: string, label: string, type: string, value: string) =>
    html`<label for="${id}">${label}</label>
      <input id="${id}" name="${id}" type="${type}" value="${value}" required />`;
  return html`<h1>${STRINGS.addTimeOffTitle(calendar.name)}</h1>
    <p class="muted">${STRINGS.timeZoneNote(calendar.timezone)} ${STRINGS.timeOffIntro}</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <form method="post" action="${timeOffPath(calendar.id)}" class="stack">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <label for="resource">${STRINGS.columns.resource}</label>
      <select id="resource" name="resource">
        <option value="">${STRINGS.wholeCalendar}</option>
        ${calendar.resources.map(
          (resource) =>
            html`<option value="${resource.id}" ${resource.id === values.resource && html`selected`}>
              ${resource.name}
            </option>`,
        )}
      </select>
      <div class="pair">
        <span>${field('start_date', STRINGS.startDate, 'date', values.startDate)}</span>
        <span>${field('start_time', STRINGS.startTime, 'time', values.startTime)}</span>
      </div>
      <div class="pair">
        <span>${field('end_date', STRINGS.endDate, 'date', values.endDate)}</span>
        <span>${field('end_time', STRINGS.endTime, 'time', values.endTime)}</span>
      </div>
      <label for="note">${STRINGS.noteLabel}</label>
      <input id="note" name="note" type="text" value="${values.note}" maxlength="500" />
      <button type="submit">${STRINGS.addTimeOff}</button>
    </form>
    <p><a href="${calendarPath(calendar.id, values.startDate || undefined)}">${STRINGS.backToCalendar}</a></p>`;
}

/** Time off added: what it closed, and the bookings still active in it, each linking to its page. */
export function timeOffAdded(
  calendar: CalendarConfig,
  block: TimeOffBlock,
  conflicts: readonly ListedBooking[],
  date: string,
): Html {
  return html`<h1>${STRINGS.timeOffAddedTitle}</h1>
    <p class="notice" role="status">
      ${STRINGS.timeOffAdded(resourceName(calendar, block.resourceId), when(calendar, block))}
    </p>
    <h2>${STRINGS.conflictsTitle}</h2>
    ${
      conflicts.length === 0
        ? html`<p>${STRINGS.noConflicts}</p>`
        : html`<p>${STRINGS.conflictsIntro}</p>
            <ul class="conflicts">
              ${conflicts.map(
                (booking) =>
                  html`<li>
                    <a href="${bookingPath(booking.id)}">
                      ${localDateTime(calendar.timezone, booking.start)} ${contactName(booking)}
                    </a>
                    · ${resourceName(calendar, booking.resourceId)}
                  </li>`,
              )}
            </ul>`
    }
    <p><a href="${calendarPath(calendar.id, date)}">${STRINGS.backToCalendar}</a></p>`;
}
