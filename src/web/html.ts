/**
 * Server-side HTML templating that escapes by default: every value interpolated into `html`…``
 * is escaped unless it is itself `Html` (another template, or `raw()` for markup the server wrote).
 * Track titles come from files' tags and from live DJs, so nothing else is ever inserted as is.
 */

/** Markup that is already safe to insert. */
export class Html {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

/** Escapes text for HTML element content and attribute values (quoted). */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** Trusts `markup` as HTML: only for text the server itself wrote, never for data. */
export const raw = (markup: string): Html => new Html(markup)

/** What a template accepts: text (escaped), numbers, templates, lists of these; null, undefined and false render nothing. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[]

const render = (value: HtmlValue): string => {
  if (value instanceof Html) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === null || value === undefined || value === false) return ''
  return escapeHtml(String(value))
}

/**
 * A template literal tag producing escaped HTML.
 *
 * @example
 * html`<p title="${title}">${title}</p>` // both places escaped
 * html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`
 */
export const html = (strings: TemplateStringsArray, ...values: HtmlValue[]): Html => {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!
  return new Html(out)
}
