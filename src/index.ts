/**
 * airwave as a library: build a station from a config, then serve it the way the `airwave`
 * command does (`airwave/node`, `airwave/bun`, `airwave/deno`), or route its app inside any Hono
 * app and open its source port yourself.
 *
 * @example
 * import { Hono } from 'hono'
 * import { createApp, createStation, startSourcePort } from 'airwave'
 *
 * const station = await createStation({ sourcePassword: 's3cret', mounts: [{ path: '/stream', playlist: ['./music'] }] })
 * station.start()
 * await startSourcePort(station) // DJs connect to port 8001
 * const app = new Hono()
 * app.route('/radio', createApp(station))
 */
import type { StationConfigInput } from './config/schema.ts'
import { parseStationConfig } from './config/schema.ts'
import type { StationOptions } from './station/station.ts'
import { Station } from './station/station.ts'

/**
 * Validates `config` (filling in defaults; a ConfigError names every bad field) and opens every
 * mount's playlist (a StationError names each mount with nothing playable). Call `start()` to begin
 * streaming, or hand it to `serve()` of `airwave/node`, `airwave/bun` or `airwave/deno`.
 *
 * @example
 * const station = await createStation({ name: 'Radio Tonic', mounts: [{ path: '/stream', playlist: ['~/Music'] }] })
 */
export const createStation = (config: StationConfigInput, options: StationOptions = {}): Promise<Station> =>
  Station.open(parseStationConfig(config, 'createStation()'), options)

export { createApp } from './http/app.ts'
export type { AppOptions } from './http/app.ts'
export { startSourcePort } from './serve.ts'
export type { ServedStation, ServeOptions, SourcePortOptions } from './serve.ts'
export type { RunningIngest as RunningSourcePort } from './ingest/server.ts'
export { StationError } from './station/station.ts'
export type { Station, StationOptions } from './station/station.ts'
export type { ReloadReport } from './station/reload-report.ts'
export type { Mount, MountEvent } from './mount/mount.ts'
export type { ListenerCounts } from './mount/listener-tally.ts'
export type { AudioFormat, StreamShape } from './format/params.ts'
export type { OnAir } from './mount/now-playing.ts'
export type { Track } from './input/track.ts'
export { ConfigError, parseStationConfig } from './config/schema.ts'
export type { MountConfig, MountConfigInput, StationConfig, StationConfigInput } from './config/schema.ts'
export { DEMO_PLAYLIST } from './config/demo.ts'
export type { ConnectionHooks } from './runtime/hooks.ts'
export { createLogger, silentLogger } from './log.ts'
export type { Logger, LogLevel } from './log.ts'
export type { Clock } from './clock.ts'
export { systemClock } from './clock.ts'
