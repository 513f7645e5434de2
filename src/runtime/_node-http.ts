import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { listenServer } from '../net/listen-server.ts'
import { rawResponse } from '../net/raw-response.ts'
import { createAdaptorServer } from '@hono/node-server'
import type { FetchHandler, RunningServer, ServeOptions } from './types.ts'

/**
 * Serves `fetch` with `node:http` (through @hono/node-server); rejects if the port cannot be bound.
 * Requests without a `Host` header (HTTP/1.0, as old hardware radios and scripts send them) are
 * answered like any other, as Icecast does, instead of Node's `400`. `CONNECT`, which `node:http`
 * would drop without a word, gets the `405` of any other method the station does not take.
 * @example
 * const server = await serveNodeHttp(app.fetch, { hostname: '0.0.0.0', port: 8000 })
 */
export const serveNodeHttp = (
  fetch: FetchHandler,
  options: ServeOptions & { reusePort?: boolean },
): Promise<RunningServer> => {
  const server = createAdaptorServer({
    fetch: fetch as never,
    hostname: 'localhost',
    serverOptions: { requireHostHeader: false },
  }) as Server
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {})
    socket.end(
      rawResponse(
        405,
        { Allow: 'GET, HEAD, OPTIONS', 'Content-Type': 'text/plain; charset=utf-8' },
        'Method Not Allowed\n',
      ),
    )
    setTimeout(() => socket.destroy(), 2000).unref()
  })
  return listenServer(server, options.port, options.hostname, () => {
    server.closeIdleConnections()
    setTimeout(() => server.closeAllConnections(), 1500).unref()
  }, options.reusePort)
}
