import { createApp } from '../../src/http/app.ts'
import { createStation } from '../../src/index.ts'
import type { MountConfigInput } from '../../src/config/schema.ts'
import { createLogger } from '../../src/log.ts'
import type { Clock } from '../../src/pacing/clock.ts'
import { loadRuntime } from '../../src/runtime/index.ts'

/**
 * Starts a station in this process, served over loopback by the current runtime's adapter on a free
 * port (or on `port`, e.g. the port of a station stopped a moment ago, to restart it).
 */
export const startStation = async (mounts: MountConfigInput[], options: { clock?: Clock; name?: string; port?: number } = {}) => {
  const logs: string[] = []
  const access: string[] = []
  const log = createLogger({ level: 'debug', write: (line) => logs.push(line), writeAccess: (line) => access.push(line) })
  const station = await createStation({ mounts, host: '127.0.0.1', port: 0, name: options.name }, { log, clock: options.clock })
  station.start()
  const runtime = await loadRuntime()
  const app = createApp(station, { hooks: runtime.hooks, log, clock: options.clock })
  const server = await runtime.serve(app.fetch, { hostname: '127.0.0.1', port: options.port ?? 0 })
  const url = `http://127.0.0.1:${server.port}`
  return {
    station,
    app,
    url,
    port: server.port,
    logs,
    access,
    stop: async () => {
      await station.stop()
      await server.close()
    },
  }
}
