import type { Clock } from './clock.ts'
import { systemClock } from './clock.ts'
import { serveWorkers, workerCount } from './cluster/serve-workers.ts'
import { liveEnabled, sourcePortOf } from './config/schema.ts'
import { sourcePortAdmin } from './http/admin/source-port.ts'
import { createApp } from './http/app.ts'
import { probeRange } from './http/listen.ts'
import type { RunningIngest } from './ingest/server.ts'
import { startIngest } from './ingest/server.ts'
import type { Logger } from './log.ts'
import type { TlsSource } from './net/tls-files.ts'
import { TlsFiles } from './net/tls-files.ts'
import type { Runtime } from './runtime/types.ts'
import type { Station } from './station/station.ts'
import { StationError } from './station/station.ts'

export interface SourcePortOptions {
  /** Where to listen (default: the station's `host` and `sourcePort`, else its HTTP port + 1). */
  hostname?: string
  port?: number
  /** The HTTP port, named to source clients that knock on the wrong door. */
  httpPort?: number
  log?: Logger
  clock?: Clock
  /** Speak TLS on the source port, with this certificate (see `TlsFiles`). */
  tls?: TlsSource
}

/** The bind errors an operator can act on, said in their terms. */
const bindError = (error: unknown, what: string, port: number, host: string, flag: string): unknown => {
  const code = (error as { code?: string }).code
  if (code === 'EADDRINUSE') {
    return new StationError(`${what} ${port} on ${host} is already in use (choose another with ${flag})`)
  }
  if (code === 'EACCES') {
    return new StationError(`not allowed to listen on ${what} ${port} (ports below 1024 need privileges)`)
  }
  return error
}

/**
 * Opens the station's source port, where DJs' encoders (and anything speaking Icecast's source
 * protocol) connect to go live, with the admin API's title updates on the same port. Only mounts
 * with a source password take sources; rejects with a StationError when the port cannot be bound.
 *
 * @example
 * const sources = await startSourcePort(station, { port: 8001 })
 */
export const startSourcePort = async (station: Station, options: SourcePortOptions = {}): Promise<RunningIngest> => {
  const log = options.log ?? station.log
  const hostname = options.hostname ?? station.config.host
  const port = options.port ?? sourcePortOf(station.config)
  try {
    return await startIngest({
      targets: station.mounts,
      throttle: station.authThrottle,
      hostname,
      port,
      log: log.child('source port'),
      clock: options.clock,
      httpPort: options.httpPort,
      admin: sourcePortAdmin(station, { log, clock: options.clock ?? systemClock }),
      streamAuth: (path) => {
        const mount = station.mount(path)
        const auth = mount && station.gate.urlAuth(mount)
        return auth && { auth, ...station.gate.whereabouts }
      },
      ...(options.tls && { tls: options.tls }),
    })
  } catch (error) {
    throw bindError(error, 'source port', port, hostname, '--source-port')
  }
}

export interface ServeOptions {
  /** Where to listen (default: the station's `host` and `port`). */
  hostname?: string
  port?: number
  /** The source port (default: the station's `sourcePort`, else the HTTP port + 1). */
  sourcePort?: number
  /** Processes serving listeners (default: the station's `workers`); see `serveWorkers`. */
  workers?: number | 'auto'
  log?: Logger
  clock?: Clock
}

/** A station being served: its ports, and how to stop it all. */
export interface ServedStation {
  /** The HTTP port bound (useful with port 0). */
  readonly port: number
  /** The source port bound, when any mount takes live sources. */
  readonly sourcePort: number | undefined
  /** Whether the HTTP port speaks HTTPS, and the source port TLS (the station's `tls`). */
  readonly tls: { readonly http: boolean; readonly sourcePort: boolean }
  /** Disconnects sources, ends every listener's response cleanly, stops the station and closes the ports. */
  close(): Promise<void>
  /** What a `close()` under way is still waiting for (`the HTTP server`), for whoever gives up on it. */
  readonly closing: readonly string[]
}

/** The station's certificate, read and watched (`tls` in its config), or a StationError saying what to do. */
const openTls = async (station: Station, log: Logger): Promise<TlsFiles | undefined> => {
  const { tls } = station.config
  if (!tls) return undefined
  try {
    return await TlsFiles.open({ cert: tls.cert, key: tls.key, log })
  } catch (error) {
    throw new StationError(
      `HTTPS cannot start: ${
        error instanceof Error ? error.message : String(error)
      }. Give --tls-cert and --tls-key (or "tls": { "cert", "key" } in the config file) a certificate, its chain, and its private key in PEM, such as certbot's fullchain.pem and privkey.pem`,
    )
  }
}

/**
 * Serves a station on a runtime, as the `airwave` command does: the HTTP app on its port and, when
 * any mount takes live sources, the source port; then starts the station. With `tls` in the
 * station's config, the HTTP port speaks HTTPS (and the source port TLS with `tls.sourcePort`),
 * the certificate read again whenever its files change. Rejects with a StationError, saying what
 * to do, when a port cannot be bound or the certificate not used (the station is stopped then).
 *
 * @example
 * const served = await serveStation(station, await loadRuntime(), { port: 8000 })
 */
export const serveStation = async (
  station: Station,
  runtime: Runtime,
  options: ServeOptions = {},
): Promise<ServedStation> => {
  const { config } = station
  const log = options.log ?? station.log
  const hostname = options.hostname ?? config.host
  const port = options.port ?? config.port
  const workers = workerCount(options.workers ?? config.workers)
  const clock = options.clock ?? systemClock
  let tls
  let server
  try {
    tls = await openTls(station, log)
    server = workers > 1
      ? await serveWorkers(station, runtime, { count: workers, hostname, port, log, clock, tls })
      : await runtime.serve(createApp(station, { hooks: runtime.hooks, log, clock }).fetch, {
        hostname,
        port,
        claim: ({ path, headers }) =>
          station.mount(path) !== undefined && probeRange(headers.get('range')) === undefined,
        ...(tls && { tls }),
      })
  } catch (error) {
    tls?.close()
    await station.stop()
    throw bindError(error, 'port', port, hostname, '--port')
  }
  const sourceTls = config.tls?.sourcePort ? tls : undefined
  let ingest: RunningIngest | undefined
  if (liveEnabled(config)) {
    try {
      const sourcePort = options.sourcePort ?? sourcePortOf({ port, sourcePort: config.sourcePort })
      ingest = await startSourcePort(station, {
        hostname,
        port: sourcePort,
        httpPort: server.port,
        log,
        clock: options.clock,
        ...(sourceTls && { tls: sourceTls }),
      })
    } catch (error) {
      tls?.close()
      await station.stop()
      await server.close()
      throw error
    }
  }
  station.start()
  const closing = new Set<string>()
  const step = async (what: string, close: () => Promise<void>) => {
    closing.add(what)
    try {
      await close()
    } finally {
      closing.delete(what)
    }
  }
  return {
    port: server.port,
    sourcePort: ingest?.port,
    tls: { http: tls !== undefined, sourcePort: sourceTls !== undefined && ingest !== undefined },
    get closing() {
      return [...closing]
    },
    close: async () => {
      // Each step runs whatever happened to the one before.
      const steps = await Promise.allSettled([
        ingest && step('the source port', () => ingest.close()),
        step('the station (its sources and listeners)', () => station.stop()),
      ])
      await step('the HTTP server', () => server.close())
      tls?.close()
      const failed = steps.find((step) => step.status === 'rejected')
      if (failed) throw failed.reason
    },
  }
}
