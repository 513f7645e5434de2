import type { TlsSource } from '../net/tls-files.ts'
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

/** A request a server may answer on the raw connection: a plain `GET` of `path`, with its headers (names lower-cased). */
export interface FrontRequest {
  readonly path: string
  readonly headers: ReadonlyMap<string, string>
}

/** Where and how to listen. */
export interface ServeOptions {
  hostname: string
  port: number
  /** Share the port with the station's other worker processes (each runtime's own way: see `spawnWorker`). */
  shared?: boolean
  /**
   * Requests that are a listener's stream (a plain `GET` of a mount): where the server allows it
   * (`node:http` on Node), they are answered on the raw connection, without the HTTP
   * server's per-request objects (`runtime/listener-front.ts`).
   */
  claim?: (request: FrontRequest) => boolean
  /**
   * Speak HTTPS with this certificate; each new pair it announces serves the connections made
   * after it, those already open keeping theirs (`net/tls-files.ts`).
   */
  tls?: TlsSource
}

/** A worker process of the station (see `Runtime.spawnWorker`). */
export interface WorkerProcess {
  readonly pid: number | undefined
  /** Resolves with the exit code (or the signal's name) when the process has ended. */
  readonly exited: Promise<number | string | null>
  kill(signal?: 'SIGTERM' | 'SIGKILL'): void
}

/** Everything runtime-specific, behind one interface: the rest of airwave is web-standard code. */
export interface Runtime {
  readonly name: RuntimeName
  readonly version: string
  /** Per-connection hooks for the HTTP layer. */
  readonly hooks: ConnectionHooks
  serve(fetch: FetchHandler, options: ServeOptions): Promise<RunningServer>
  /**
   * Starts `entry` (a module of this program) in a new process of the same runtime, with `env`
   * added to its environment; its servers started with `shared` listen on the same port as its
   * siblings'.
   */
  spawnWorker(entry: string, env: Record<string, string>): WorkerProcess
  /**
   * The port a worker asks for to share its siblings' when the station's port is 0 (any): the
   * port asked for (`node:cluster` shares a listening socket by what was asked) or the port the
   * first worker bound (`SO_REUSEPORT` shares a bound port).
   */
  readonly sharePortAs: 'requested' | 'bound'
  /** Calls `handler` once on SIGINT or SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void
  /** Calls `handler` on every SIGHUP (where the platform has it), which would otherwise end the process. */
  onReloadSignal(handler: (signal: string) => void): void
  exit(code: number): never
}
