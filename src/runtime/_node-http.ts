import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { listenServer } from '../net/listen-server.ts'
import { createAdaptorServer } from '@hono/node-server'
import type { Context } from 'hono'
import type { ConnectionHooks } from './hooks.ts'
import type { FetchHandler, RunningServer } from './types.ts'

type NodeBindings = { incoming: IncomingMessage; outgoing: ServerResponse }

const bindings = (c: Context): NodeBindings | undefined => {
  const env = c.env as Partial<NodeBindings> | undefined
  return env?.incoming ? (env as NodeBindings) : undefined
}

/** Connection hooks for a `node:http` server run through @hono/node-server. */
export const nodeHttpHooks: ConnectionHooks = {
  clientAddress: (c) => bindings(c)?.incoming.socket.remoteAddress,
  httpVersion: (c) => {
    const version = bindings(c)?.incoming.httpVersion
    return version ? `HTTP/${version}` : undefined
  },
  closeConnection: (c) => {
    bindings(c)?.incoming.socket.destroy()
  },
}

/** Serves `fetch` with `node:http` (through @hono/node-server); rejects if the port cannot be bound. */
export const serveNodeHttp = (fetch: FetchHandler, options: { hostname: string; port: number }): Promise<RunningServer> => {
  const server = createAdaptorServer({ fetch: fetch as never }) as Server
  return listenServer(server, options.port, options.hostname, () => {
    server.closeIdleConnections()
    setTimeout(() => server.closeAllConnections(), 1500).unref()
  })
}
