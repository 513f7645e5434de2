import type { Context } from 'hono'
import type { IcyOptions } from '../broadcast/icy-listener.ts'
import { IcyListener } from '../broadcast/icy-listener.ts'
import type { SinkFactory } from '../broadcast/sink.ts'
import type { ListenerFactory } from '../broadcast/broadcaster.ts'
import type { ListenerInfo } from '../broadcast/listener.ts'
import { Listener } from '../broadcast/listener.ts'
import type { Clock } from '../clock.ts'
import { isOgg } from '../format/params.ts'
import type { Logger } from '../log.ts'
import type { Mount } from '../mount/mount.ts'
import type { Chunk } from '../pipeline/chunk.ts'
import type { ConnectionHooks } from '../runtime/hooks.ts'
import { connectionOf } from '../runtime/hooks.ts'
import type { DirectResponse } from '../runtime/direct-sink.ts'
import type { ListenerGate, Turned } from '../station/listener-gate.ts'
import type { ListenerRouting } from '../station/routing.ts'
import type { AddressRange } from '../security/address-range.ts'
import { forwardedClient } from '../security/forwarded-for.ts'
import { clientAddress } from '../util/address.ts'
import { concatBytes } from '../util/bytes.ts'
import { accessLine, formatAccessLine } from './access-log.ts'
import { knockOf } from './knock.ts'
import { streamHeaders } from './stream-headers.ts'

export interface ListenOptions {
  routing: ListenerRouting
  /** Who may listen (bans, caps, logins, time limits); everyone when absent. */
  gate?: ListenerGate
  /** The station's `publicUrl`, whose host name the auth server is told. */
  publicUrl?: () => string | undefined
  /** Reverse proxies whose `X-Forwarded-For` names the client (the station's `trustedProxies`). */
  trustedProxies?: () => readonly AddressRange[]
  hooks: ConnectionHooks
  log: Logger
  clock: Clock
  serverName: string
}

/**
 * Who a listener is, from its request.
 *
 * @example
 * clientInfo(c, hooks) // { address: '192.0.2.1', userAgent: 'VLC/3.0.20', referer: '', request: 'GET /stream HTTP/1.1' }
 */
export const clientInfo = (c: Context, hooks: ConnectionHooks): ListenerInfo => {
  const url = new URL(c.req.url)
  return {
    address: clientAddress(hooks.clientAddress(c)),
    userAgent: c.req.header('user-agent') ?? '',
    referer: c.req.header('referer') ?? '',
    // Bun cannot tell the protocol: then the request line goes without it rather than with a guess.
    request: [c.req.method, `${url.pathname}${url.search}`, hooks.httpVersion?.(c)].filter(Boolean).join(' '),
  }
}

/** Whether a request's `Icy-MetaData` header asks for in-band titles. */
export const wantsIcy = (header: string | undefined): boolean => header?.trim() === '1'

/**
 * Whether a mount's listeners may have ICY titles: not on an Ogg mount, whose titles are in its
 * stream's comment headers (as Icecast 2.4 does, `Icy-MetaData: 1` is ignored there: no `icy-metaint`).
 */
const carriesIcy = (serving: Mount): boolean => !isOgg(serving.params!.format)

/** Largest byte range answered as a probe (Safari asks for `bytes=0-1` before it plays). */
const PROBE_LIMIT = 64 * 1024

/** A closed range from the start (`bytes=0-N`, N small): a player probing, not a listener. */
export const probeRange = (header: string | undefined): number | undefined => {
  const match = header ? /^bytes=0-(\d+)$/.exec(header.trim()) : null
  const end = match ? Number(match[1]) : undefined
  return end !== undefined && end < PROBE_LIMIT ? end : undefined
}

/** The answer while `mount` and its fallback chain are off air (404, as Icecast). */
const offAir = (mount: Mount): Response => {
  const fallback = mount.config.fallbackMount
  return new Response(
    `${mount.path} is off air: no source is connected${
      fallback ? ` and its fallback ${fallback} is off air too` : ''
    }; try again later\n`,
    { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } },
  )
}

/** The response headers of `mount`'s stream as heard now (its fallback's while it is off air); with `icy-metaint` for ICY listeners. */
const headersFor = (serving: Mount, mount: Mount, icy: boolean, serverName: string): Headers => {
  const headers = streamHeaders(serving, serverName)
  if (icy) headers.set('icy-metaint', String(mount.config.metaint))
  return headers
}

/** Who a listener is once trusted proxies are seen through: the address its last trusted hop names. */
const behindProxies = (info: ListenerInfo, headers: Headers, options: ListenOptions): ListenerInfo => {
  const address = forwardedClient(info.address, headers.get('x-forwarded-for'), options.trustedProxies?.() ?? [])
  return address === info.address ? info : { ...info, address }
}

/**
 * A request for `mount`'s stream as it comes in (from the HTTP server, or a worker): its listener
 * seen through trusted proxies, or the answer to an address that may not listen (403, logged), before
 * anything else is asked of it. `join` takes the listener as this gives it.
 *
 * @example
 * const screened = screen(mount, clientInfo(c, hooks), c.req.raw.headers, options)
 * if (screened instanceof Response) return screened
 */
export const screen = (
  mount: Mount,
  info: ListenerInfo,
  headers: Headers,
  options: ListenOptions,
): ListenerInfo | Response => {
  const seen = behindProxies(info, headers, options)
  const excluded = options.gate?.exclusion(mount, seen.address)
  return excluded ? refused(excluded, seen, options) : seen
}

/**
 * Whether a request for `mount`'s HLS must be turned away: its address banned (403), or the mount
 * asking listeners to log in, which HLS (a playlist and segments fetched by anyone, and by caches)
 * cannot do (403 naming the stream to listen to instead).
 *
 * @example
 * const refused = hlsGate(c, mount, listenOptions)
 * if (refused) return refused
 */
export const hlsGate = (c: Context, mount: Mount, options: ListenOptions): Response | undefined => {
  const info = behindProxies(clientInfo(c, options.hooks), c.req.raw.headers, options)
  const excluded = options.gate?.exclusion(mount, info.address)
  if (excluded) return turnedAway(excluded)
  if (!options.gate?.locked(mount)) return undefined
  return turnedAway({
    status: 403,
    message: `${mount.path} asks its listeners to log in, which HLS cannot do: listen at ${mount.path} instead`,
  })
}

/** A listener turned away at the gate: its status and message. */
const turnedAway = (turned: Turned): Response =>
  new Response(`${turned.message}\n`, {
    status: turned.status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...turned.headers },
  })

/** The request a listener made: its URL and headers, which the gate reads its login and token from. */
export interface ListenRequest {
  readonly url: string
  readonly headers: Headers
}

/** A listener admitted: its stream's response headers, and the listener (its stream is the body, unless it writes to the connection directly: then `direct` is the route's answer). */
export interface Joined {
  readonly listener: Listener
  readonly headers: Headers
  readonly direct?: Response
}

/**
 * Admits a new listener of `mount` (as `screen` let it through), counted by the station, or answers why not (404 off air, 503
 * full). `make` makes the listener (an ICY listener, or one whose stream another process serves).
 * When the listener leaves, one access-log line is written (and a slow drop is logged).
 *
 * @example
 * const joined = join(mount, info, false, options)
 * if (!(joined instanceof Response)) return new Response(joined.listener.stream, { headers: joined.headers })
 */
export const join = async (
  mount: Mount,
  info: ListenerInfo,
  icy: boolean,
  options: ListenOptions,
  request: ListenRequest,
  make?: ListenerFactory,
  direct?: (headers: Headers) => DirectResponse | undefined,
): Promise<Joined | Response> => {
  const { gate } = options
  if (!options.routing.serving(mount)) return offAir(mount)
  const pass = gate && await gate.admit(mount, knockOf(request.url, request.headers, info, options.publicUrl?.()))
  if (pass && !('id' in pass)) return refused(pass, info, options)
  // A login takes time: what it waited for is looked at again.
  const serving = options.routing.serving(mount)
  if (!serving) return offAir(mount)
  const capped = gate?.capped(mount, info.address)
  if (capped) return refused(capped, info, options)
  icy &&= carriesIcy(serving)
  if (mount.isFull) {
    return new Response(`${mount.path} is full (${mount.config.maxListeners} listeners); try again later\n`, {
      status: 503,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '30' },
    })
  }
  const headers = headersFor(serving, mount, icy, options.serverName)
  // VLC 3 reopens a stream that names itself (icy-name, icy-genre) with its older module, which
  // drops the login from the URL: to a player that logged in and asked for no titles, no names.
  if (gate?.locked(mount) && !icy && request.headers.has('authorization')) {
    headers.delete('icy-name')
    headers.delete('icy-genre')
  }
  const written = direct?.(headers)
  const factory = make ?? listenerFactory(icy, mount.config, written?.open)
  const listener = pass
    ? options.routing.add(mount, pass.user ? { ...info, user: pass.user } : info, withId(factory, pass.id))
    : options.routing.add(mount, info, factory)
  if (pass) gate!.follow(listener, mount, pass)
  logWhenGone(listener, mount, options)
  return { listener, headers, direct: written?.response }
}

// What follows is made outside `join`: a closure made there would keep all of `join`'s scope (the
// request, its headers, the factory) alive for as long as the listener listens.

/** A listener turned away: its access-log line, and its answer. */
const refused = (turned: Turned, info: ListenerInfo, options: ListenOptions): Response => {
  options.log.access(accessLine(info, turned.status, 0, new Date(), 0))
  return turnedAway(turned)
}

/** `factory`, making its listener under the id the gate gave it. */
const withId = (factory: ListenerFactory, id: number): ListenerFactory => (o) => factory({ ...o, id })

/** When the listener leaves: one access-log line (and a slow drop logged). */
const logWhenGone = (listener: Listener, mount: Mount, options: ListenOptions): void => {
  listener.closed.then((reason) => {
    const seconds = (options.clock.now() - listener.connectedAt) / 1000
    if (reason === 'slow') {
      mount.log.warn(
        `dropped slow listener #${listener.id} ${listener.info.address} after ${
          seconds.toFixed(0)
        } s: skipped more than ${mount.config.slowListenerLimit} s of audio in a row`,
      )
    }
    options.log.access(formatAccessLine(listener, 200, new Date(), seconds))
  })
}

/**
 * Makes the listener a request asked for: an ICY listener (titles every `metaint` bytes) or a plain
 * one, writing to `openSink` when the runtime writes to the connection directly; with `id`, under
 * the id the station gave it (a worker's listener).
 *
 * @example
 * routing.add(mount, info, listenerFactory(icy, mount.config, direct?.open))
 */
export const listenerFactory = (
  icy: boolean,
  titles: IcyOptions,
  openSink?: SinkFactory,
  id?: number,
): ListenerFactory => {
  const { metaint, streamUrl } = titles
  return (o) => {
    const options = { ...o, openSink, ...(id !== undefined && { id }) }
    return icy ? new IcyListener(options, { metaint, streamUrl }) : new Listener(options)
  }
}

/**
 * The response of an admitted listener: its stream as the body (or the runtime's direct response),
 * the connection's idle timeout lifted, and the connection dropped when the server ends the
 * listener (slow or kicked), even if its client stopped reading.
 *
 * @example
 * return respond(c, hooks, joined)
 */
export const respond = (c: Context, hooks: ConnectionHooks, joined: Joined): Response => {
  const { listener, headers, direct } = joined
  hooks.keepOpen?.(c)
  const connection = connectionOf(c)
  listener.closed.then((reason) => {
    if (reason === 'slow' || reason === 'kicked') hooks.closeConnection?.(connection)
  })
  return direct ?? new Response(listener.stream, { status: 200, headers })
}

/**
 * How `join` may answer this request by writing to its connection directly. Made here, not inline in
 * `listen`: a closure there over the context would keep the whole context (~2.5 KB) alive for as long
 * as the listener listens, through the other closures that share `listen`'s scope.
 */
const directFor = (c: Context, hooks: ConnectionHooks) => (headers: Headers) => hooks.directResponse?.(c, headers)

/** The first bytes a listener would get: an Ogg chunk's link header pages first. */
const streamStart = (chunk: Chunk | undefined): Uint8Array => {
  if (!chunk?.link || chunk.opensLink) return chunk?.data ?? new Uint8Array(0)
  return concatBytes([chunk.link.headers, chunk.data])
}

/**
 * Answers a request for a mount's stream: 404 while the mount is off air with no fallback on air
 * (as Icecast does); headers only for HEAD; a `206` with the first bytes of the stream for a small
 * `Range` probe (neither of them counted as a listener); 503 when the mount is full; otherwise a new
 * listener (with ICY metadata if it sent `Icy-MetaData: 1`) whose stream is the response body (the
 * fallback's audio while the mount is off air). When the listener leaves, one access-log line is
 * written; a listener dropped by the server also has its connection closed.
 *
 * @example
 * app.get('/stream', (c) => listen(c, mount, options))
 */
export const listen = async (c: Context, mount: Mount, options: ListenOptions): Promise<Response> => {
  const info = screen(mount, clientInfo(c, options.hooks), c.req.raw.headers, options)
  if (info instanceof Response) return info
  const serving = options.routing.serving(mount)
  if (!serving) return offAir(mount)
  const icy = wantsIcy(c.req.header('icy-metadata')) && carriesIcy(serving)
  if (c.req.method === 'HEAD') {
    return new Response(null, { status: 200, headers: headersFor(serving, mount, icy, options.serverName) })
  }
  // A mount that asks listeners to log in gives none of its audio to a probe without one.
  const probe = options.gate?.locked(mount) ? undefined : probeRange(c.req.header('range'))
  if (probe !== undefined) {
    const headers = headersFor(serving, mount, icy, options.serverName)
    const bytes = streamStart(serving.broadcaster.burst.chunks()[0]).subarray(0, probe + 1)
    headers.set('Content-Range', bytes.length > 0 ? `bytes 0-${bytes.length - 1}/*` : 'bytes */*')
    headers.set('Content-Length', String(bytes.length))
    return new Response(bytes.slice(), { status: bytes.length > 0 ? 206 : 416, headers })
  }
  const joined = await join(
    mount,
    info,
    icy,
    options,
    { url: c.req.url, headers: c.req.raw.headers },
    undefined,
    directFor(c, options.hooks),
  )
  return joined instanceof Response ? joined : respond(c, options.hooks, joined)
}
