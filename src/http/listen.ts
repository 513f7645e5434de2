import type { Context } from 'hono'
import { IcyListener } from '../broadcast/icy-listener.ts'
import type { ListenerInfo } from '../broadcast/listener.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { Mount } from '../mount/mount.ts'
import type { ConnectionHooks } from '../runtime/hooks.ts'
import type { ListenerRouting } from '../station/routing.ts'
import { clientAddress } from '../util/address.ts'
import { formatAccessLine } from './access-log.ts'
import { streamHeaders } from './stream-headers.ts'

export interface ListenOptions {
  routing: ListenerRouting
  hooks: ConnectionHooks
  log: Logger
  clock: Clock
  serverName: string
}

const clientInfo = (c: Context, hooks: ConnectionHooks): ListenerInfo => {
  const url = new URL(c.req.url)
  return {
    address: clientAddress(hooks.clientAddress(c)),
    userAgent: c.req.header('user-agent') ?? '',
    referer: c.req.header('referer') ?? '',
    // Bun cannot tell the protocol: then the request line goes without it rather than with a guess.
    request: [c.req.method, `${url.pathname}${url.search}`, hooks.httpVersion?.(c)].filter(Boolean).join(' '),
  }
}

/** Largest byte range answered as a probe (Safari asks for `bytes=0-1` before it plays). */
const PROBE_LIMIT = 64 * 1024

/** A closed range from the start (`bytes=0-N`, N small): a player probing, not a listener. */
const probeRange = (header: string | undefined): number | undefined => {
  const match = header ? /^bytes=0-(\d+)$/.exec(header.trim()) : null
  const end = match ? Number(match[1]) : undefined
  return end !== undefined && end < PROBE_LIMIT ? end : undefined
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
export const listen = (c: Context, mount: Mount, options: ListenOptions): Response => {
  const serving = options.routing.serving(mount)
  if (!serving) {
    const fallback = mount.config.fallbackMount
    return new Response(
      `${mount.path} is off air: no source is connected${
        fallback ? ` and its fallback ${fallback} is off air too` : ''
      }; try again later\n`,
      {
        status: 404,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      },
    )
  }
  const headers = streamHeaders(serving, options.serverName)
  const icy = c.req.header('icy-metadata')?.trim() === '1'
  if (icy) headers.set('icy-metaint', String(mount.config.metaint))
  if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers })
  const probe = probeRange(c.req.header('range'))
  if (probe !== undefined) {
    const bytes = serving.broadcaster.burst.chunks()[0]?.data.subarray(0, probe + 1) ?? new Uint8Array(0)
    headers.set('Content-Range', bytes.length > 0 ? `bytes 0-${bytes.length - 1}/*` : 'bytes */*')
    headers.set('Content-Length', String(bytes.length))
    return new Response(bytes.slice(), { status: bytes.length > 0 ? 206 : 416, headers })
  }
  if (mount.isFull) {
    return new Response(`${mount.path} is full (${mount.config.maxListeners} listeners); try again later\n`, {
      status: 503,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '30' },
    })
  }
  const { metaint, streamUrl } = mount.config
  const listener = options.routing.add(
    mount,
    clientInfo(c, options.hooks),
    icy ? (o) => new IcyListener(o, { metaint, streamUrl }) : undefined,
  )
  options.hooks.keepOpen?.(c)
  listener.closed.then((reason) => {
    const seconds = (options.clock.now() - listener.connectedAt) / 1000
    if (reason === 'slow') {
      mount.log.warn(
        `dropped slow listener #${listener.id} ${listener.info.address} after ${
          seconds.toFixed(0)
        } s: skipped more than ${mount.config.slowListenerLimit} s of audio in a row`,
      )
    }
    if (reason === 'slow' || reason === 'kicked') options.hooks.closeConnection?.(c)
    options.log.access(formatAccessLine(listener, 200, new Date(), seconds))
  })
  return new Response(listener.stream, { status: 200, headers })
}
