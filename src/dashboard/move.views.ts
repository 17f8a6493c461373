import type { CalendarConfig } from '../config/config.types.js';
import { formatInstant } from '../contract/timestamp.js';
import type { ListedBooking } from '../store/booking.js';
import { html, type Html } from './html.js';
import { bookingPath, contactName, localDateTime, localTime } from './present.js';
import { STRINGS } from './strings.js';

/** The forced-time form as typed: local date and time of the calendar's zone. */
export interface ForcedValues {
  readonly resource: string;
  readonly date: string;
  readonly time: string;
  readonly force: boolean;
}

export interface MoveView {
  readonly booking: ListedBooking;
  readonly calendar: CalendarConfig;
  /** The local date whose free slots are listed. */
  readonly date: string;
  /** Each resource's free starts on that date. */
  readonly slots: readonly { readonly resourceId: string; readonly starts: readonly number[] }[];
  readonly forced: ForcedValues;
  readonly error?: string;
  /** After a refusal: the nearest free starts on the resource asked for. */
  readonly alternatives?: { readonly resourceId: string; readonly starts: readonly number[] };
  readonly csrf: string;
}

/** A slot's form value: the resource and the UTC start, as the move takes them. */
export const slotValue = (resourceId: string, start: number) => `${resourceId} ${formatInstant(start)}`;

/** Where to move a booking: one of the free slots of a chosen date, or a time of one's own, forced if need be. */
export function moveForm(view: MoveView): Html {
  const { booking, calendar, date, forced, csrf } = view;
  const zone = calendar.timezone;
  const action = `${bookingPath(booking.id)}/move`;
  const nameOf = (id: string) => calendar.resources.find((resource) => resource.id === id)?.name ?? id;
  const radios = (resourceId: string, starts: readonly number[], label: (start: number) => string) =>
    starts.map(
      (start) =>
        html`<label class="slot"
          ><input type="radio" name="slot" value="${slotValue(resourceId, start)}" required />${label(start)}</label
        >`,
    );
  const slotForm = (kind: 'slot', body: Html) =>
    html`<form method="post" action="${action}">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <input type="hidden" name="kind" value="${kind}" />
      ${body}
      <button type="submit">${STRINGS.moveToSlot}</button>
    </form>`;
  const { alternatives } = view;
  return html`<h1>${STRINGS.moveTitle(contactName(booking))}</h1>
    <p>
      ${STRINGS.moveIntro(`${localDateTime(zone, booking.start)} · ${nameOf(booking.resourceId)}`)}
      <span class="muted">${STRINGS.timeZoneNote(zone)}</span>
    </p>
    ${view.error && html`<p class="error" role="alert">${view.error}</p>`}
    ${
      alternatives &&
      alternatives.starts.length > 0 &&
      html`<section aria-labelledby="alternatives">
        <h2 id="alternatives">${STRINGS.alternativesTitle}</h2>
        ${slotForm(
          'slot',
          html`<fieldset class="slots">
            <legend>${nameOf(alternatives.resourceId)}</legend>
            ${radios(alternatives.resourceId, alternatives.starts, (start) => localDateTime(zone, start))}
          </fieldset>`,
        )}
      </section>`
    }
    <h2>${STRINGS.freeSlots}</h2>
    <form method="get" action="${action}" class="toolbar">
      <label for="date">${STRINGS.dateLabel}</label>
      <input id="date" name="date" type="date" value="${date}" required />
      <button type="submit">${STRINGS.show}</button>
    </form>
    <h3>${STRINGS.freeSlotsOn(date)}</h3>
    ${
      view.slots.every((resource) => resource.starts.length === 0)
        ? html`<p>${STRINGS.noFreeSlots}</p>`
        : slotForm(
            'slot',
            html`${view.slots
              .filter((resource) => resource.starts.length > 0)
              .map(
                (resource) =>
                  html`<fieldset class="slots">
                    <legend>${nameOf(resource.resourceId)}</legend>
                    ${radios(resource.resourceId, resource.starts, (start) => localTime(zone, start))}
                  </fieldset>`,
              )}`,
          )
    }
    <h2>${STRINGS.forcedTime}</h2>
    <p class="muted">${STRINGS.forcedIntro}</p>
    <form method="post" action="${action}" class="stack">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <input type="hidden" name="kind" value="time" />
      <label for="resource">${STRINGS.columns.resource}</label>
      <select id="resource" name="resource">
        ${calendar.resources.map(
          (resource) =>
            html`<option value="${resource.id}" ${resource.id === forced.resource && html`selected`}>
              ${resource.name}
            </option>`,
        )}
      </select>
      <div class="pair">
        <span>
          <label for="new_date">${STRINGS.newDate}</label>
          <input id="new_date" name="date" type="date" value="${forced.date}" required />
        </span>
        <span>
          <label for="new_time">${STRINGS.newTime}</label>
          <input id="new_time" name="time" type="time" value="${forced.time}" required />
        </span>
      </div>
      <label class="check"
        ><input type="checkbox" name="force" value="yes" ${forced.force && html`checked`} />${STRINGS.forceLabel}</label
      >
      <button type="submit">${STRINGS.moveToTime}</button>
    </form>
    <p><a href="${bookingPath(booking.id)}">${STRINGS.backToBooking}</a></p>`;
}
