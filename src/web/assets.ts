import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

/**
 * The web pages' static files, served at `/assets/<name>`: the browser modules compiled from
 * `src/web/client/` into `dist/client/` by the build (`npm run build`), and the stylesheet and icon
 * kept as they are in `src/web/static/`. Both folders are resolved from this module, so the same
 * paths hold when running `src/` (Bun, Deno, Node >= 22.18) and `dist/` (Node 20), in the
 * repository and in the installed package.
 */
export const CLIENT_DIR: string = fileURLToPath(new URL('../../dist/client/', import.meta.url))
const STATIC_DIR: string = fileURLToPath(new URL('../../src/web/static/', import.meta.url))

const TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
}

/** Asset names: lower-case words, one extension we serve; nothing else (no paths) is looked up. */
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(js|css|svg)$/

interface Loaded {
  mtimeMs: number
  body: Uint8Array
  gzipped: Uint8Array
  etag: string
}

const cache = new Map<string, Loaded>()

const load = (file: string): Loaded | undefined => {
  let mtimeMs: number
  try {
    mtimeMs = statSync(file).mtimeMs
  } catch {
    return undefined
  }
  const cached = cache.get(file)
  if (cached?.mtimeMs === mtimeMs) return cached
  const body = new Uint8Array(readFileSync(file))
  const loaded = {
    mtimeMs,
    body,
    gzipped: new Uint8Array(gzipSync(body, { level: 9 })),
    etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`,
  }
  cache.set(file, loaded)
  return loaded
}

/** Where the asset called `name` lives, if it is one we serve. */
const assetPath = (name: string): string | undefined => {
  const match = ASSET_NAME.exec(name)
  if (!match) return undefined
  return `${match[1] === 'js' ? CLIENT_DIR : STATIC_DIR}${name}`
}

/** Whether the request accepts a gzip-encoded answer. */
const acceptsGzip = (request: Request): boolean => /\bgzip\b/i.test(request.headers.get('accept-encoding') ?? '')

/**
 * Answers `GET /assets/<name>`: the file, gzipped when the browser accepts it, with an ETag so a
 * revalidation costs one `304` (pages always revalidate, so a rebuilt asset is picked up at once).
 * @example
 * app.get('/assets/:name', (c) => serveAsset(c.req.raw, c.req.param('name')))
 */
export const serveAsset = (request: Request, name: string): Response => {
  const path = assetPath(name)
  const file = path ? load(path) : undefined
  if (!path || !file) {
    return new Response(`No asset ${name}\n`, { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  }
  const headers: Record<string, string> = {
    'Content-Type': TYPES[path.slice(path.lastIndexOf('.') + 1)]!,
    'Cache-Control': 'no-cache',
    ETag: file.etag,
    Vary: 'Accept-Encoding',
    'X-Content-Type-Options': 'nosniff',
  }
  if (request.headers.get('if-none-match') === file.etag) return new Response(null, { status: 304, headers })
  const gzip = acceptsGzip(request)
  if (gzip) headers['Content-Encoding'] = 'gzip'
  const body = gzip ? file.gzipped : file.body
  headers['Content-Length'] = String(body.length)
  return new Response(request.method === 'HEAD' ? null : body.slice(), { status: 200, headers })
}

/**
 * A response whose body is made here (a page, a JSON document): gzipped when accepted, never
 * cached unless `headers` says otherwise, with the given (security) headers.
 *
 * @example
 * compressedResponse(c.req.raw, JSON.stringify(state), 'application/json; charset=utf-8', { 'Cache-Control': 'no-store' })
 */
export const compressedResponse = (
  request: Request,
  text: string,
  contentType: string,
  headers: Record<string, string>,
  status = 200,
): Response => {
  const body = new TextEncoder().encode(text)
  const gzip = acceptsGzip(request)
  const sent = gzip ? new Uint8Array(gzipSync(body)) : body
  return new Response(request.method === 'HEAD' ? null : sent, {
    status,
    headers: {
      'Content-Type': contentType,
      'Cache-Control': 'no-cache',
      Vary: 'Accept-Encoding',
      'Content-Length': String(sent.length),
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      ...headers,
    },
  })
}

/**
 * An HTML page's response: gzipped when accepted, never cached, with the given headers.
 *
 * @example
 * htmlResponse(c.req.raw, page, { 'Cache-Control': 'no-store' })
 */
export const htmlResponse = (
  request: Request,
  page: string,
  headers: Record<string, string> = {},
  status = 200,
): Response => compressedResponse(request, page, 'text/html; charset=utf-8', headers, status)
