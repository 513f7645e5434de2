import type { Server } from 'node:http'
import { listenServer } from '../net/listen-server.ts'
import { createAdaptorServer } from '@hono/node-server'
import type { FetchHandler, RunningServer } from './types.ts'

/**
 * Serves `fetch` with `node:http` (through @hono/node-server); rejects if the port cannot be bound.
 * Requests without a `Host` header (HTTP/1.0, as old hardware radios and scripts send them) are
 * answered like any other, as Icecast does, instead of Node's `400`.
 * @example
 * const server = await serveNodeHttp(app.fetch, { hostname: '0.0.0.0', port: 8000 })
 */
export const serveNodeHttp = (
  fetch: FetchHandler,
  options: { hostname: string; port: number },
): Promise<RunningServer> => {
  const server = createAdaptorServer({
    fetch: fetch as never,
    hostname: 'localhost',
    serverOptions: { requireHostHeader: false },
  }) as Server
  return listenServer(server, options.port, options.hostname, () => {
    server.closeIdleConnections()
    setTimeout(() => server.closeAllConnections(), 1500).unref()
  })
}
