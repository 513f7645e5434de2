/**
 * airwave on Bun: `import { serve } from 'airwave/bun'`.
 *
 * @example
 * import { createStation } from 'airwave'
 * import { serve } from 'airwave/bun'
 *
 * const station = await createStation({ mounts: [{ path: '/stream', playlist: ['./music'] }] })
 * const served = await serve(station) // http://localhost:8000/stream
 */
import { bunRuntime } from './runtime/bun.ts'
import type { ServedStation, ServeOptions } from './serve.ts'
import { serveStation } from './serve.ts'
import type { Station } from './station/station.ts'

/**
 * Serves a station with Bun, as the `airwave` command does: the listener port, the source port
 * when any mount takes live sources, and the station started. Rejects with a StationError when a
 * port cannot be bound.
 *
 * @example
 * const served = await serve(station, { port: 8000 })
 * await served.close()
 */
export const serve = (station: Station, options?: ServeOptions): Promise<ServedStation> =>
  serveStation(station, bunRuntime, options)

export type { ServedStation, ServeOptions } from './serve.ts'
