import process from 'node:process'
import type { FetchHandler, Runtime } from './types.ts'
import { onProcessReload, onProcessSignals } from './_process-signals.ts'
import { serverHooks } from './hooks.ts'
import { spawnChild } from './_child-process.ts'

type BunServer = {
  port: number
  requestIP(request: Request): unknown
  timeout(request: Request, seconds: number): void
  stop(closeActiveConnections?: boolean): Promise<void> | void
}
type BunGlobal = {
  version: string
  serve(
    options: {
      fetch: (request: Request, server: BunServer) => Response | Promise<Response>
      port: number
      hostname: string
      idleTimeout?: number
      reusePort?: boolean
    },
  ): BunServer
}

const bun = () => (globalThis as unknown as { Bun: BunGlobal }).Bun

/**
 * Passes a request on to `fetch`. A request without a `Host` header (HTTP/1.0, as old hardware
 * radios and scripts send it) reaches Bun's handler with a URL that is only a path, which Hono
 * misreads (`/abc/def` routed as `/def`): it gets an absolute URL, and the hooks get the server
 * methods bound to the request Bun knows. A `Host` that makes no URL is a 400, as on Node and Deno.
 */
const withHost = (fetch: FetchHandler, request: Request, server: BunServer) => {
  // Bun takes any Host header into the URL (`Host: [::1` gives `http://[::1/stream`): Node and Deno answer 400.
  if (!request.url.startsWith('/')) {
    return URL.canParse(request.url)
      ? fetch(request, server)
      : new Response('Bad Request: the Host header is not a host name\n', {
        status: 400,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      })
  }
  const env = {
    requestIP: () => server.requestIP(request),
    timeout: (_: Request, seconds: number) => server.timeout(request, seconds),
  }
  const { method, headers, signal } = request
  const body = method === 'GET' || method === 'HEAD' ? null : request.body
  return fetch(
    new Request(`http://localhost${request.url}`, { method, headers, signal, body, duplex: 'half' } as RequestInit),
    env,
  )
}

/**
 * Bun: `Bun.serve`. Its 10 s idle timeout also applies to streaming responses, so it is lifted per
 * listener; a listener to drop gets a 1 s timeout, which closes even a stalled socket. Worker
 * processes share the port with `reusePort` (Linux `SO_REUSEPORT`: the kernel spreads connections).
 * With TLS, Bun serves as Node does (`node:tls` in front of `node:http`), for certificate renewal.
 */
export const bunRuntime: Runtime = {
  name: 'bun',
  version: bun().version,
  hooks: serverHooks,
  serve: async (fetch, options) => {
    // Bun.serve cannot take a renewed certificate (`reload({ tls })` is ignored, oven-sh/bun#43815):
    // with TLS, node:tls and node:http serve, as on Node and Deno.
    if (options.tls) {
      const { serveNodeHttp } = await import('./_node-http.ts')
      return serveNodeHttp(fetch, { ...options, reusePort: options.shared })
    }
    const running = bun().serve({
      fetch: (request, srv) => withHost(fetch, request, srv),
      port: options.port,
      hostname: options.hostname,
      reusePort: options.shared === true,
    })
    return {
      port: running.port,
      close: async () => {
        // Armed first: a graceful stop waits for every connection, even a client halfway through its request head.
        const force = setTimeout(() => running.stop(true), 1500)
        await running.stop(false)
        clearTimeout(force)
      },
    }
  },
  sharePortAs: 'bound',
  spawnWorker: (entry, env) => spawnChild(process.execPath, [entry], env),
  onShutdownSignal: onProcessSignals,
  onReloadSignal: onProcessReload,
  exit: (code) => process.exit(code),
}
