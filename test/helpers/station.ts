import { createApp } from '../../src/http/app.ts'
import { createStation } from '../../src/index.ts'
import type { MountConfigInput, StationConfig, StationConfigInput } from '../../src/config/schema.ts'
import { liveEnabled } from '../../src/config/schema.ts'
import { createLogger } from '../../src/log.ts'
import type { Clock } from '../../src/clock.ts'
import { loadRuntime } from '../../src/runtime/index.ts'
import type { AuthThrottleOptions } from '../../src/security/throttle.ts'
import { startSourcePort } from '../../src/serve.ts'
import { waitFor } from './manual-clock.ts'

export interface TestStationOptions {
  clock?: Clock
  name?: string
  /** Station-level settings: passwords, source timeout … */
  station?: Omit<StationConfigInput, 'mounts'>
  /** Back-off after failed logins (default: short, so tests are not slowed by one another's failures). */
  authThrottle?: AuthThrottleOptions
  /** Serve on this port (default: any free one). */
  port?: number
  /** Randomness (shuffle, relay back-off jitter). */
  random?: () => number
  /** What the admin `reload` re-reads. */
  configSource?: () => Promise<StationConfig>
}

/**
 * Starts a station in this process, served over loopback by the current runtime's adapter on a free
 * port, with its source port too when a source password is set.
 */
export const startStation = async (mounts: MountConfigInput[], options: TestStationOptions = {}) => {
  const logs: string[] = []
  const access: string[] = []
  const log = createLogger({
    level: 'debug',
    write: (line) => logs.push(line),
    writeAccess: (line) => access.push(line),
  })
  const station = await createStation(
    { ...options.station, mounts, host: '127.0.0.1', port: 0, name: options.name },
    {
      log,
      clock: options.clock,
      random: options.random,
      configSource: options.configSource,
      authThrottle: options.authThrottle ?? { baseMs: 20, maxMs: 200 },
    },
  )
  station.start()
  const runtime = await loadRuntime()
  const app = createApp(station, { hooks: runtime.hooks, log, clock: options.clock })
  const server = await runtime.serve(app.fetch, { hostname: '127.0.0.1', port: options.port ?? 0 })
  const ingest = liveEnabled(station.config)
    ? await startSourcePort(station, {
      hostname: '127.0.0.1',
      port: 0,
      log,
      clock: options.clock,
      httpPort: server.port,
    })
    : undefined
  const url = `http://127.0.0.1:${server.port}`
  return {
    station,
    app,
    url,
    port: server.port,
    sourcePort: ingest?.port,
    logs,
    access,
    /** Waits (in real time) until every mount has a track on air: its first file is opened and probed. */
    onAir: () =>
      waitFor(
        () => [...station.mounts.values()].every((mount) => mount.onAir !== undefined),
        15_000,
        'every mount to have a track on air',
      ),
    stop: async () => {
      await ingest?.close()
      await station.stop()
      await server.close()
    },
  }
}
