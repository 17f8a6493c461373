import { STRINGS } from './strings.js';

/** Markup that is already safe: only `html` and `raw` make one. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | null | undefined | false | readonly Value[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

function render(value: Value): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** A template whose every interpolated value is escaped, unless it is `Html` already. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  return new Html(strings.reduce((out, text, index) => out + render(values[index - 1] ?? null) + text));
}

/**
 * Data for the browser script, as a JSON block the browser never runs: `<` is escaped so that no
 * value can close the element.
 */
export function jsonBlock(id: string, data: unknown): Html {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return new Html(`<script type="application/json" id="${escapeHtml(id)}">${json}</script>`);
}

export interface PageParts {
  readonly title: string;
  readonly body: Html;
  /** The signed-in user's CSRF token, for the sign-out form; none on the sign-in page. */
  readonly csrf?: string;
  /** Extra stylesheets and scripts (paths under /admin/assets/). */
  readonly styles?: readonly string[];
  readonly scripts?: readonly string[];
}

export const ASSETS = '/admin/assets/';

export function page({ title, body, csrf, styles = [], scripts = [] }: PageParts): string {
  const nav =
    csrf === undefined
      ? ''
      : html`<nav aria-label="${STRINGS.appName}">
          <a href="/admin">${STRINGS.calendars}</a>
          <a href="/admin/bookings">${STRINGS.bookings}</a>
          <a href="/admin/webhooks">${STRINGS.webhooks}</a>
          <a href="/admin/email">${STRINGS.email}</a>
          <form method="post" action="/admin/sign-out">
            <input type="hidden" name="_csrf" value="${csrf}" />
            <button type="submit">${STRINGS.signOut}</button>
          </form>
        </nav>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ${STRINGS.appName}</title>
        <link rel="icon" href="data:," />
        ${[...styles, 'dashboard.css'].map((file) => html`<link rel="stylesheet" href="${ASSETS}${file}" />`)}
        ${scripts.map((file) => html`<script src="${ASSETS}${file}" defer></script>`)}
      </head>
      <body>
        <header>
          <span class="brand">${STRINGS.appName}</span>
          ${nav}
        </header>
        <main>${body}</main>
      </body>
    </html>`.text;
}
