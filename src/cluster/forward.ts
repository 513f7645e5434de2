import type { Context } from 'hono'
import type { ConnectionHooks } from '../runtime/hooks.ts'
import { serverHooks } from '../runtime/hooks.ts'
import type { FetchHandler } from '../runtime/types.ts'

/** The headers that carry a forwarded request's origin; anything a client sends under these names is dropped. */
const TOKEN = 'x-airwave-token'
const URL_HEADER = 'x-airwave-url'
const CLIENT = 'x-airwave-client'
const PROTOCOL = 'x-airwave-protocol'
/** The names of the headers the client sent: fetch adds its own (Node's adds `Sec-Fetch-Mode`), which the station must not see. */
const NAMES = 'x-airwave-headers'
const PREFIX = 'x-airwave-'

/** Hop-by-hop headers, which belong to one connection and are not passed on. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']

const withoutOurs = (source: Headers, only?: ReadonlySet<string>): Headers => {
  const headers = new Headers()
  for (const [name, value] of source) {
    if (name.startsWith(PREFIX) || HOP_BY_HOP.includes(name) || name === 'host') continue
    if (!only || only.has(name)) headers.append(name, value)
  }
  return headers
}

/** Largest request body passed on (the admin API's forms are a few hundred bytes). */
const MAX_BODY = 64 * 1024

const tooLarge = () =>
  new Response(`Payload Too Large: at most ${MAX_BODY} bytes\n`, {
    status: 413,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' },
  })

/** The request's body, read whole, or undefined when it is larger than `MAX_BODY` (never buffered past it). */
const boundedBody = async (request: Request): Promise<Uint8Array<ArrayBuffer> | undefined> => {
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY) return undefined
  if (!request.body) return new Uint8Array(0)
  const parts: Uint8Array[] = []
  let length = 0
  const reader = request.body.getReader()
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    length += read.value.length
    if (length > MAX_BODY) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    parts.push(read.value)
  }
  const body = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    body.set(part, at)
    at += part.length
  }
  return body
}

/** Where a worker sends what it does not answer itself. */
export interface ForwardTarget {
  readonly origin: string
  readonly token: string
}

/**
 * A worker passes a request on to the station (pages, the API and its event streams, the admin
 * API, HEAD and probes of streams), with the client's address and the URL it asked for, and
 * streams the answer back. Bodies are passed uncompressed (a page the station would compress goes
 * out plain through a worker); a body over 64 KiB is refused (413), never buffered.
 *
 * @example
 * app.all('*', (c) => forwardRequest(c.req.raw, target, { address, protocol: 'HTTP/1.1' }))
 */
export const forwardRequest = async (
  request: Request,
  target: ForwardTarget,
  client: { address?: string; protocol?: string },
): Promise<Response> => {
  const url = new URL(request.url)
  const headers = withoutOurs(request.headers)
  headers.set(NAMES, [...new Set(headers.keys())].join(','))
  headers.set(TOKEN, target.token)
  headers.set(URL_HEADER, request.url)
  if (client.address) headers.set(CLIENT, client.address)
  if (client.protocol) headers.set(PROTOCOL, client.protocol)
  headers.set('accept-encoding', 'identity')
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  const body = hasBody ? await boundedBody(request) : undefined
  if (hasBody && body === undefined) return tooLarge()
  let upstream: Response
  try {
    upstream = await fetch(`${target.origin}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body,
      redirect: 'manual',
    })
  } catch {
    return new Response('The station is not answering (it may be restarting); try again in a moment\n', {
      status: 502,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5' },
    })
  }
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: withoutOurs(upstream.headers),
  })
}

/** What a forwarded request's handler gets as `c.env`, besides the server's own bindings. */
interface Forwarded {
  airwaveClient: { address?: string; protocol?: string }
}

const forwarded = (c: Context): Forwarded['airwaveClient'] | undefined =>
  (c.env as Partial<Forwarded> | undefined)?.airwaveClient

/**
 * The station's side: serves only requests its workers forward (with the token), each as the
 * client made it (its URL, its address). Anything else is refused: this door is on loopback, but
 * not everyone on the machine is a worker.
 *
 * @example
 * await runtime.serve(acceptForwarded(app.fetch, token), { hostname: '127.0.0.1', port: 0 })
 */
export const acceptForwarded = (fetch: FetchHandler, token: string): FetchHandler => (request, env) => {
  if (request.headers.get(TOKEN) !== token) return new Response('Forbidden\n', { status: 403 })
  const url = request.headers.get(URL_HEADER) ?? request.url
  const client = {
    address: request.headers.get(CLIENT) ?? undefined,
    protocol: request.headers.get(PROTOCOL) ?? undefined,
  }
  const { method } = request
  const body = method === 'GET' || method === 'HEAD' ? null : request.body
  const sent = new Set((request.headers.get(NAMES) ?? '').split(',').filter(Boolean))
  const original = new Request(url, {
    method,
    headers: withoutOurs(request.headers, sent),
    body,
    duplex: 'half',
  } as RequestInit)
  // Event streams pass through here: no idle timeout (Bun's) on the workers' connections.
  serverHooks.keepOpen?.({ env, req: { raw: request } } as unknown as Context)
  return fetch(original, { airwaveClient: client } satisfies Forwarded)
}

/**
 * Connection hooks for forwarded requests: the client's address and protocol as the worker saw
 * them (its connection's timeouts are the worker's).
 *
 * @example
 * createApp(station, { hooks: forwardedHooks })
 */
export const forwardedHooks: ConnectionHooks = {
  clientAddress: (c) => forwarded(c)?.address,
  httpVersion: (c) => forwarded(c)?.protocol,
}
