import type { Server } from 'node:http'
import { listenServer } from '../net/listen-server.ts'
import { createAdaptorServer } from '@hono/node-server'
import type { FetchHandler, RunningServer } from './types.ts'

/** Serves `fetch` with `node:http` (through @hono/node-server); rejects if the port cannot be bound. */
export const serveNodeHttp = (
  fetch: FetchHandler,
  options: { hostname: string; port: number },
): Promise<RunningServer> => {
  const server = createAdaptorServer({ fetch: fetch as never }) as Server
  return listenServer(server, options.port, options.hostname, () => {
    server.closeIdleConnections()
    setTimeout(() => server.closeAllConnections(), 1500).unref()
  })
}
