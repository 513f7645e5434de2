import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'
import { availableParallelism } from 'node:os'
import type { Clock } from '../clock.ts'
import { createApp } from '../http/app.ts'
import type { Logger } from '../log.ts'
import type { TlsSource } from '../net/tls-files.ts'
import { listenServer } from '../net/listen-server.ts'
import type { RunningServer, Runtime } from '../runtime/types.ts'
import type { Station } from '../station/station.ts'
import { VERSION } from '../version.ts'
import { acceptForwarded, forwardedHooks } from './forward.ts'
import { WorkerPool } from './worker-pool.ts'

export interface WorkersOptions {
  readonly count: number
  readonly hostname: string
  readonly port: number
  readonly log: Logger
  readonly clock: Clock
  /** HTTPS on the workers' port: the pair each worker is sent, and sent again when it changes. */
  readonly tls?: TlsSource
}

/** The station served by worker processes: the port they share, their pids. */
export interface RunningWorkers extends RunningServer {
  readonly pids: readonly number[]
}

/**
 * How many worker processes a `workers` setting means: `auto` is one per core (1 on a one-core
 * machine: no workers).
 *
 * @example
 * workerCount('auto') // 2 on a two-core machine
 */
export const workerCount = (setting: number | 'auto'): number =>
  setting === 'auto' ? Math.max(1, availableParallelism()) : setting

/** Fails as binding would (`EADDRINUSE`), before workers share the port: sharing it would hide another server on it. */
const checkPortFree = async (hostname: string, port: number): Promise<void> => {
  if (port === 0) return
  const probe = await listenServer(createServer(), port, hostname, () => {})
  await probe.close()
}

/**
 * Serves the station's HTTP port from `count` worker processes: each serves listeners itself and
 * forwards every other request to the station's app, which this process serves on a loopback door
 * only its workers can use. One station (pacers, playlists, sources, counts, the admin API) stays
 * in this process.
 *
 * @example
 * const served = await serveWorkers(station, runtime, { count: 2, hostname: '0.0.0.0', port: 8000, log, clock })
 */
export const serveWorkers = async (
  station: Station,
  runtime: Runtime,
  options: WorkersOptions,
): Promise<RunningWorkers> => {
  const { log, clock, hostname, port, count } = options
  await checkPortFree(hostname, port)
  const token = randomUUID()
  const app = createApp(station, { hooks: forwardedHooks, log, clock })
  const door = await runtime.serve(acceptForwarded(app.fetch, token), { hostname: '127.0.0.1', port: 0 })
  const listen = {
    routing: station.routing,
    gate: station.gate,
    publicUrl: () => station.config.publicUrl,
    trustedProxies: () => station.gate.trustedProxies,
    hooks: forwardedHooks,
    log,
    clock,
    serverName: `airwave/${VERSION}`,
  }
  let pool: WorkerPool
  try {
    pool = await WorkerPool.start({
      count,
      runtime,
      station,
      listen,
      hostname,
      port,
      forward: { origin: `http://127.0.0.1:${door.port}`, token },
      log,
      logLevel: station.config.logLevel,
      ...(options.tls && { tls: options.tls }),
    })
  } catch (error) {
    await door.close()
    throw error
  }
  log.info(`${count} worker processes serve listeners (${runtime.name}): pids ${pool.pids.join(', ')}`)
  return {
    port: pool.port,
    get pids() {
      return pool.pids
    },
    close: async () => {
      await pool.stop()
      await door.close()
    },
  }
}
