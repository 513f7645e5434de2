import type { AddressInfo, Server } from 'node:net'

/** A bound server: its port, and how to close it. */
export interface BoundServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number
  /** Stops accepting, ends what `endConnections` ends, resolves when the server is closed. */
  close(): Promise<void>
}

/**
 * Binds a `node:net` or `node:http` server (both work on Node, Bun and Deno); rejects if the port
 * cannot be bound. `endConnections` runs at close, to end connections that would keep it open.
 * `reusePort` lets other processes bind the same port (Linux `SO_REUSEPORT`; Node >= 22.12, Deno).
 *
 * @example
 * const bound = await listenServer(createServer(onSocket), 8001, '0.0.0.0', () => sockets.forEach((s) => s.destroy()))
 */
export const listenServer = (
  server: Server,
  port: number,
  hostname: string,
  endConnections: () => void,
  reusePort = false,
): Promise<BoundServer> =>
  new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port, host: hostname, ...(reusePort && { reusePort }) }, () => {
      server.off('error', reject)
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            endConnections()
          }),
      })
    })
  })
