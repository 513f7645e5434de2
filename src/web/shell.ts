// deno-fmt-ignore-file -- the HTML templates' whitespace is the pages' own: no formatter may reflow it
import type { Html } from './html.ts'
import { html } from './html.ts'

/** The listener page's browser modules in `dist/client/`, entry first; all are preloaded so none waits for another. */
export const CLIENT_MODULES: readonly string[] = ['player.js', 'live.js', 'timeline.js', 'dom.js']

/** The operator dashboard's browser modules, entry first. */
export const DASHBOARD_MODULES: readonly string[] = [
  'dashboard.js',
  'programme-panel.js',
  'chart-view.js',
  'chart.js',
  'timeline.js',
  'dom.js',
]

export interface ShellOptions {
  /** The document's `<title>`. */
  title: string
  /** The relative path from the page to the app's root (`./`, `../`…), so the app works under any prefix. */
  base: string
  /** `class` of `<body>`: `page`, `embed`… (the stylesheet's layouts). */
  layout: string
  /** The page's content. */
  body: Html
  /** Browser modules the page runs (entry first); none for a page without script. */
  modules?: readonly string[]
  /** Stylesheets from `/assets/`, in order (default: the pages' `style.css`). */
  stylesheets?: readonly string[]
}

/**
 * The document around every airwave page: metadata, the stylesheets, the icon and the page's
 * modules, all from `/assets/` (no inline script or style, nothing from another site).
 *
 * @example
 * shell({ title: 'Radio', base: './', layout: 'page', body: html`<main>…</main>`, modules: CLIENT_MODULES })
 */
export const shell = (options: ShellOptions): string => {
  const { title, base, layout, body, modules = [], stylesheets = ['style.css'] } = options
  const [entry, ...rest] = modules
  return String(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<link rel="icon" href="${base}assets/icon.svg" type="image/svg+xml">
${stylesheets.map((sheet) => html`<link rel="stylesheet" href="${base}assets/${sheet}">\n`)}${entry ? html`<script type="module" src="${base}assets/${entry}"></script>\n` : ''}${rest.map((m) => html`<link rel="modulepreload" href="${base}assets/${m}">\n`)}</head>
<body class="${layout}">
${body}
</body>
</html>
`)
}
