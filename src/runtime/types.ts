import type { ConnectionHooks } from './hooks.ts'

/** The names of the runtimes airwave runs on. */
export type RuntimeName = 'node' | 'bun' | 'deno'

/** A fetch handler, as Hono's `app.fetch`. */
export type FetchHandler = (request: Request, env?: unknown) => Response | Promise<Response>

/** A listening HTTP server. */
export interface RunningServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number
  /** Stops accepting, ends remaining connections, resolves when the server is closed. */
  close(): Promise<void>
}

/** Everything runtime-specific, behind one interface: the rest of airwave is web-standard code. */
export interface Runtime {
  readonly name: RuntimeName
  readonly version: string
  /** Per-connection hooks for the HTTP layer. */
  readonly hooks: ConnectionHooks
  serve(fetch: FetchHandler, options: { hostname: string; port: number }): Promise<RunningServer>
  /** Calls `handler` once on SIGINT or SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void
  /** Calls `handler` on every SIGHUP (where the platform has it), which would otherwise end the process. */
  onReloadSignal(handler: (signal: string) => void): void
  exit(code: number): never
}
