import { html, type Html } from './html.js';
import { STRINGS } from './strings.js';

/** What the outbox's delivery pages (webhooks, e-mail) share: the failed ones with `Retry`, then the pending ones. */

/** As many of each status as a screen holds; the API pages through all of them. */
export const SHOWN = 100;

export interface DeliveryRow {
  /** When it was written, local to its calendar: the first column. */
  readonly created: string;
  /** The columns after it. */
  readonly cells: readonly (Html | string | number)[];
  /** Where its `Retry` form posts. */
  readonly retryAction: string;
  /** When its next attempt is due, local to its calendar. */
  readonly nextAt: string;
}

/** A table of deliveries: the failed ones end in a `Retry` button, the pending ones in their next attempt. */
export function deliveryTable(options: {
  /** The headers of `cells`. */
  readonly headers: readonly string[];
  readonly rows: readonly DeliveryRow[];
  readonly retry: boolean;
  readonly csrf: string;
}): Html {
  const { headers, rows, retry, csrf } = options;
  if (rows.length === 0) return html`<p>${STRINGS.noDeliveries}</p>`;
  return html`<table>
    <thead>
      <tr>
        <th scope="col">${STRINGS.deliveryColumns.created}</th>
        ${headers.map((header) => html`<th scope="col">${header}</th>`)}
        <th scope="col">
          ${retry ? html`<span class="visually-hidden">${STRINGS.actionsColumn}</span>` : STRINGS.deliveryColumns.next}
        </th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr>
            <td class="nowrap">${row.created}</td>
            ${row.cells.map((cell) => html`<td>${cell}</td>`)}
            <td class="nowrap">
              ${
                retry
                  ? html`<form method="post" action="${row.retryAction}">
                      <input type="hidden" name="_csrf" value="${csrf}" />
                      <button type="submit">${STRINGS.retry}</button>
                    </form>`
                  : row.nextAt
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The page's body: title, intro, the notice after a retry, then the failed and the pending table. */
export function deliveriesBody(parts: {
  readonly title: string;
  readonly intro: string;
  readonly notice?: string;
  readonly failed: Html;
  readonly pending: Html;
}): Html {
  return html`<h1>${parts.title}</h1>
    <p class="muted">${parts.intro}</p>
    ${parts.notice && html`<p class="notice" role="status">${parts.notice}</p>`}
    <h2>${STRINGS.failedDeliveries}</h2>
    ${parts.failed}
    <h2>${STRINGS.pendingDeliveries}</h2>
    ${parts.pending}`;
}
