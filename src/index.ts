/**
 * airwave as a library: build a station from a config and serve it with any Hono app.
 *
 * @example
 * import { Hono } from 'hono'
 * import { createApp, createStation } from 'airwave'
 *
 * const station = await createStation({ mounts: [{ path: '/stream', playlist: ['./music'] }] })
 * station.start()
 * const app = new Hono()
 * app.route('/radio', createApp(station))
 */
import type { StationConfigInput } from './config/schema.ts'
import { parseStationConfig } from './config/schema.ts'
import type { StationOptions } from './station/station.ts'
import { Station } from './station/station.ts'

/** Validates `config` (filling in defaults) and opens every mount; call `start()` to begin streaming. */
export const createStation = (config: StationConfigInput, options: StationOptions = {}): Promise<Station> =>
  Station.create(parseStationConfig(config, 'createStation()'), options)

export { Station, StationError } from './station/station.ts'
export type { StationOptions } from './station/station.ts'
export { Mount } from './mount/mount.ts'
export { DEMO_PLAYLIST } from './config/demo.ts'
export type { MountParams, OnAir } from './mount/mount.ts'
export { createApp } from './http/app.ts'
export type { AppOptions } from './http/app.ts'
export type { ConnectionHooks } from './runtime/hooks.ts'
export { loadRuntime, detectRuntime } from './runtime/index.ts'
export type { Runtime, RuntimeName, RunningServer } from './runtime/index.ts'
export { ConfigError, parseStationConfig } from './config/schema.ts'
export type { MountConfig, StationConfig, StationConfigInput } from './config/schema.ts'
export { createLogger, silentLogger } from './log.ts'
export type { Logger, LogLevel } from './log.ts'
export type { Clock } from './clock.ts'
export { systemClock } from './clock.ts'
export { Broadcaster } from './broadcast/broadcaster.ts'
export { Listener } from './broadcast/listener.ts'
export type { CloseReason, ListenerInfo } from './broadcast/listener.ts'
export type { Chunk } from './pipeline/chunk.ts'
export type { Track } from './input/track.ts'
