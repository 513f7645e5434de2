import { html as honoHtml, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'

/** Markup that is safe to insert: a template, or `raw()` markup the server wrote itself. */
export type Html = HtmlEscapedString

/**
 * hono/html's template tag, for templates without async parts (airwave's), which render at once:
 * every interpolated value is escaped unless it is itself `Html`; lists are joined; null,
 * undefined and booleans render nothing. Track titles come from files' tags and from live DJs, so
 * nothing else is ever inserted as is.
 *
 * @example
 * html`<p title="${title}">${title}</p>` // both places escaped
 * html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`
 */
export const html = (strings: TemplateStringsArray, ...values: unknown[]): Html => honoHtml(strings, ...values) as Html

export { raw }
