import type { ListenerFactory } from '../broadcast/broadcaster.ts'
import type { Listener, ListenerInfo } from '../broadcast/listener.ts'
import type { Clock } from '../clock.ts'
import type { StationConfig } from '../config/schema.ts'
import type { Logger } from '../log.ts'
import { silentLogger } from '../log.ts'
import type { ListenerHistoryOptions } from '../mount/listener-history.ts'
import { Mount } from '../mount/mount.ts'
import { AuthThrottle } from '../security/throttle.ts'
import type { AuthThrottleOptions } from '../security/throttle.ts'
import type { Result } from '../util/result.ts'
import { ListenerRouting } from './routing.ts'

export interface StationOptions {
  log?: Logger
  clock?: Clock
  random?: () => number
  /** Back-off after failed logins (source clients, admin), per address. */
  authThrottle?: AuthThrottleOptions
  /** Resolution and retention of each mount's listener history (default: 10 s, 24 hours). */
  listenerHistory?: ListenerHistoryOptions
}

/**
 * Start-up failed for one or more mounts (nothing playable, a port in use); the message names each and why.
 *
 * @example
 * catch (error) { if (error instanceof StationError) console.error(`cannot start: ${error.message}`) }
 */
export class StationError extends Error {
  override name = 'StationError'
}

/**
 * The station: every configured mount, opened and streaming, and where each listener is. It is
 * the one object the HTTP layer and the source port talk to.
 *
 * @example
 * const station = await Station.open(config, { log })
 * station.start()
 * app.route('/', createApp(station))
 */
export class Station {
  readonly config: StationConfig
  readonly mounts: ReadonlyMap<string, Mount>
  readonly log: Logger
  readonly startedAt: Date = new Date()
  /** Per-address back-off shared by every password check (source logins and the admin API). */
  readonly authThrottle: AuthThrottle
  /** Where every listener is: its home mount, and the mount serving it now. */
  readonly routing: ListenerRouting

  private constructor(
    config: StationConfig,
    mounts: Map<string, Mount>,
    routing: ListenerRouting,
    log: Logger,
    options: StationOptions,
  ) {
    this.config = config
    this.mounts = mounts
    this.routing = routing
    this.log = log
    this.authThrottle = new AuthThrottle({ clock: options.clock, ...options.authThrottle })
    for (const mount of mounts.values()) mount.observeInput(() => this.#reroute())
  }

  /** Opens every mount's playlist; throws a StationError naming each mount that has nothing playable. */
  static async open(config: StationConfig, options: StationOptions = {}): Promise<Station> {
    const log = options.log ?? silentLogger
    let lastListenerId = 0
    const nextListenerId = () => ++lastListenerId
    const mounts = new Map<string, Mount>()
    const routing = new ListenerRouting(mounts, log)
    const results = await Promise.allSettled(
      config.mounts.map((mount) =>
        Mount.open(mount, {
          log: log.child(mount.path),
          clock: options.clock,
          baseDir: config.baseDir,
          random: options.random,
          nextListenerId,
          listenerHistory: options.listenerHistory,
          fallbackStream: () => {
            const self = mounts.get(mount.path)
            return self ? routing.fallbackStream(self) : undefined
          },
        })
      ),
    )
    const failures = results.flatMap((result, index) =>
      result.status === 'rejected'
        ? [
          `${config.mounts[index]!.path}: ${
            result.reason instanceof Error ? result.reason.message : String(result.reason)
          }`,
        ]
        : []
    )
    if (failures.length > 0) {
      for (const result of results) if (result.status === 'fulfilled') await result.value.stop()
      throw new StationError(failures.join('\n'))
    }
    for (const result of results) if (result.status === 'fulfilled') mounts.set(result.value.path, result.value)
    return new Station(config, mounts, routing, log, options)
  }

  /**
   * Moves each listener to the mount it should hear now, and each mount's HLS to the broadcast its
   * listeners hear: its own, or its fallback's while it is off air.
   */
  #reroute(): void {
    this.routing.reroute()
    for (const mount of this.mounts.values()) {
      const heard = this.routing.serving(mount) ?? mount
      mount.hls?.follow(heard.broadcaster, () => heard.params)
    }
  }

  /** The mount at `path`, if any. */
  mount(path: string): Mount | undefined {
    return this.mounts.get(path)
  }

  start(): void {
    for (const mount of this.mounts.values()) mount.start()
  }

  /** Adds a listener of `mount`; it hears `mount`, or its fallback while `mount` is off air (see `ListenerRouting`). */
  addListener(mount: Mount, info: ListenerInfo, factory?: ListenerFactory): Listener {
    return this.routing.add(mount, info, factory)
  }

  /** Moves every listener of `from` to `to` without disconnecting them (Icecast's `moveclients`); done with how many moved. */
  moveListeners(from: Mount, to: Mount): Result<number> {
    return this.routing.moveAll(from, to)
  }

  /** Stops every mount; listeners' responses end cleanly. */
  async stop(): Promise<void> {
    await Promise.all([...this.mounts.values()].map((mount) => mount.stop()))
  }
}
