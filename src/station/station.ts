import { describeParams, paramsMismatch } from '../format/format.ts'
import { Broadcaster } from '../broadcast/broadcaster.ts'
import type { ListenerHistoryOptions } from '../mount/listener-history.ts'
import type { StationConfig } from '../config/schema.ts'
import type { Logger } from '../log.ts'
import { silentLogger } from '../log.ts'
import { Mount } from '../mount/mount.ts'
import type { Clock } from '../clock.ts'
import { AuthThrottle } from '../security/throttle.ts'
import type { AuthThrottleOptions } from '../security/throttle.ts'

export interface StationOptions {
  log?: Logger
  clock?: Clock
  random?: () => number
  /** Back-off after failed logins (source clients, admin), per address. */
  authThrottle?: AuthThrottleOptions
  /** Resolution and retention of each mount's listener history (default: 10 s, 24 hours). */
  listenerHistory?: ListenerHistoryOptions
}

/** Start-up failed for one or more mounts; the message names each mount and why. */
export class StationError extends Error {
  override name = 'StationError'
}

/**
 * The station: every configured mount, opened and streaming. It is the one object the HTTP layer
 * talks to, so it can be mounted in any Hono app.
 *
 * @example
 * const station = await Station.create(config, { log })
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

  private constructor(config: StationConfig, mounts: Map<string, Mount>, log: Logger, options: StationOptions) {
    this.config = config
    this.mounts = mounts
    this.log = log
    this.authThrottle = new AuthThrottle({ clock: options.clock, ...options.authThrottle })
    for (const mount of mounts.values()) {
      mount.setFallback(mount.config.fallbackMount === undefined ? undefined : mounts.get(mount.config.fallbackMount))
      mount.observeInput(() => this.#reroute())
    }
  }

  /** Opens every mount's playlist; throws a StationError naming each mount that has nothing playable. */
  static async create(config: StationConfig, options: StationOptions = {}): Promise<Station> {
    const log = options.log ?? silentLogger
    let lastListenerId = 0
    const nextListenerId = () => ++lastListenerId
    const results = await Promise.allSettled(
      config.mounts.map((mount) =>
        Mount.open(
          { ...mount, name: mount.name ?? config.name },
          { log: log.child(mount.path), clock: options.clock, baseDir: config.baseDir, random: options.random, nextListenerId, sourceTimeout: config.sourceTimeout, listenerHistory: options.listenerHistory },
        ),
      ),
    )
    const failures = results.flatMap((result, index) =>
      result.status === 'rejected' ? [`${config.mounts[index]!.path}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`] : [],
    )
    if (failures.length > 0) {
      for (const result of results) if (result.status === 'fulfilled') await result.value.stop()
      throw new StationError(failures.join('\n'))
    }
    const mounts = new Map<string, Mount>()
    for (const result of results) if (result.status === 'fulfilled') mounts.set(result.value.path, result.value)
    return new Station(config, mounts, log, options)
  }

  /** The mount at `path`, if any. */
  mount(path: string): Mount | undefined {
    return this.mounts.get(path)
  }

  start(): void {
    for (const mount of this.mounts.values()) mount.start()
  }

  /**
   * Moves every listener of `from` to `to` (Icecast's `moveclients`) without disconnecting them;
   * they stay with `to` from then on, following its fallbacks. Returns how many moved, or why none
   * could: `to` is off air, or its stream differs in format, sample rate or channels.
   */
  moveListeners(from: Mount, to: Mount): { moved: number } | { error: string } {
    if (from === to) return { error: 'the mounts are the same' }
    const serving = to.serving
    if (!serving?.params) return { error: `${to.path} is off air` }
    const heard = from.params
    const mismatch = heard ? paramsMismatch(heard, serving.params) : undefined
    if (heard && mismatch) return { error: `${to.path} plays ${describeParams(serving.params)} and ${from.path} ${describeParams(heard)}: players cannot follow such a change mid-stream` }
    let moved = 0
    for (const listener of from.broadcaster.listeners()) {
      to.adopt(listener)
      if (Mount.moveListener(listener, serving) === undefined) moved++
    }
    this.log.info(`moved ${moved} listener(s) from ${from.path} to ${to.path}`)
    return { moved }
  }

  /** Moves listeners so that each hears the first mount on air along its own mount's fallback chain. */
  #reroute(): void {
    for (const mount of this.mounts.values()) {
      const serving = mount.serving
      if (!serving) continue
      for (const listener of mount.homeListeners()) {
        const owner = Broadcaster.ownerOf(listener)
        if (!owner || owner === serving.broadcaster) continue
        const refusal = Mount.moveListener(listener, serving)
        if (refusal) {
          mount.log.warn(`listener #${listener.id} cannot follow to ${serving.path} (${refusal}); ending its response so its player reconnects`)
          listener.close('shutdown')
        }
      }
    }
  }

  /** Stops every mount; listeners' responses end cleanly. */
  async stop(): Promise<void> {
    await Promise.all([...this.mounts.values()].map((mount) => mount.stop()))
  }
}
