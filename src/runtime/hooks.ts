import type { Context } from 'hono'
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { DirectResponse } from './direct-sink.ts'
import { nodeResponseSink } from './node-response-sink.ts'
import type { FrontBindings } from './socket-sink.ts'
import { dropConnection, socketSink } from './socket-sink.ts'

/**
 * What the HTTP layer needs from the server underneath it, per connection. Each runtime adapter
 * provides these; `serverHooks` recognizes the usual servers by themselves, and an app embedding
 * airwave behind another server can pass its own.
 */
export interface ConnectionHooks {
  /** The client's IP address as seen on the socket. */
  clientAddress(c: Context): string | undefined
  /** The request's protocol, e.g. `HTTP/1.1` (for the access log). */
  httpVersion?(c: Context): string | undefined
  /** A listener's response starts streaming: lift idle timeouts for it. */
  keepOpen?(c: Context): void
  /**
   * Drop the connection now, even if the client stopped reading (slow or kicked listeners). Called
   * long after the request, with only its `env` and `req.raw` (see `connectionOf`).
   */
  closeConnection?(c: Context): void
  /**
   * A listener's response written to the connection directly, when the server allows it (far less
   * memory and work per listener than a `ReadableStream` body); undefined to use a stream.
   */
  directResponse?(c: Context, headers: Headers): DirectResponse | undefined
}

/**
 * What of a request's context a listener keeps for `closeConnection`: its `env` and raw request,
 * not the whole Hono context (whose closures cost ~2.5 KB per listener for as long as it listens);
 * for a connection the listener front took, only its `env` (the socket is all it takes to close
 * it, and the request with its headers is some 6 KB on Deno).
 *
 * @example
 * const connection = connectionOf(c)
 * listener.closed.then(() => hooks.closeConnection?.(connection))
 */
export const connectionOf = (c: Context): Context =>
  ({ env: c.env, req: { raw: rawConnection(c) ? undefined : c.req.raw } }) as unknown as Context

/** What `@hono/node-server` passes as `c.env` (Node, and Deno's `node:http`). */
interface NodeBindings {
  incoming: { httpVersion: string; socket: Socket }
  outgoing?: ServerResponse
}

/** What `Bun.serve` passes as `c.env`: the server. */
interface BunServer {
  requestIP(request: Request): { address: string } | null
  timeout(request: Request, seconds: number): void
}

/** What `Deno.serve` passes as `c.env`. */
interface DenoServeInfo {
  remoteAddr: { hostname: string }
}

const env = (
  c: Context,
):
  | Record<string, unknown>
  | undefined => (typeof c.env === 'object' && c.env !== null ? (c.env as Record<string, unknown>) : undefined)
const nodeBindings = (c: Context) => (env(c)?.incoming ? (env(c) as unknown as NodeBindings) : undefined)
const rawConnection = (c: Context) => (env(c)?.raw as FrontBindings['raw'] | undefined)
const bunServer = (
  c: Context,
) => (typeof env(c)?.requestIP === 'function' && typeof env(c)?.timeout === 'function'
  ? (env(c) as unknown as BunServer)
  : undefined)
const denoInfo = (
  c: Context,
) => (typeof (env(c)?.remoteAddr as DenoServeInfo['remoteAddr'] | undefined)?.hostname === 'string'
  ? (env(c) as unknown as DenoServeInfo)
  : undefined)

/**
 * Connection hooks for whichever server is serving the app, told apart by what it passes as
 * `c.env`: `@hono/node-server` (Node; Deno's `node:http`), `Bun.serve`, `Deno.serve`. So
 * `createApp(station)` served by any of them knows its clients' addresses and keeps listeners
 * connected, with no runtime module imported (importing `hono/bun` on Node crashes).
 *
 * @example
 * Bun.serve({ fetch: createApp(station).fetch }) // serverHooks is the default
 */
export const serverHooks: ConnectionHooks = {
  clientAddress: (c) =>
    rawConnection(c)?.socket.remoteAddress ?? nodeBindings(c)?.incoming.socket.remoteAddress ??
      bunServer(c)?.requestIP(c.req.raw)?.address ?? denoInfo(c)?.remoteAddr.hostname,
  httpVersion: (c) => {
    const version = rawConnection(c)?.httpVersion ?? nodeBindings(c)?.incoming.httpVersion
    return version ? `HTTP/${version}` : undefined
  },
  keepOpen: (c) => bunServer(c)?.timeout(c.req.raw, 0),
  closeConnection: (c) => {
    const socket = rawConnection(c)?.socket ?? nodeBindings(c)?.incoming.socket
    if (socket) dropConnection(socket)
    bunServer(c)?.timeout(c.req.raw, 1)
  },
  // A connection taken by the listener front is written to directly on every runtime. Deno's
  // node:http response, written to directly, held more memory per listener than a stream body
  // (bench/README.md, "Where a listener's memory goes"): not there.
  directResponse: (c, headers) => {
    const raw = rawConnection(c)
    if (raw) return socketSink(raw, headers)
    const outgoing = 'Deno' in globalThis ? undefined : nodeBindings(c)?.outgoing
    return outgoing ? nodeResponseSink(outgoing, headers) : undefined
  },
}
