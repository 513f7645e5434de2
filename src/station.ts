import type { StationConfig } from './config/schema.ts'
import type { Logger } from './log.ts'
import { silentLogger } from './log.ts'
import { Mount } from './mount.ts'
import type { Clock } from './pacing/clock.ts'

export interface StationOptions {
  log?: Logger
  clock?: Clock
  random?: () => number
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

  private constructor(config: StationConfig, mounts: Map<string, Mount>, log: Logger) {
    this.config = config
    this.mounts = mounts
    this.log = log
  }

  /** Opens every mount's playlist; throws a StationError naming each mount that has nothing playable. */
  static async create(config: StationConfig, options: StationOptions = {}): Promise<Station> {
    const log = options.log ?? silentLogger
    const results = await Promise.allSettled(
      config.mounts.map((mount) =>
        Mount.open(
          { ...mount, name: mount.name ?? config.name },
          { log: log.child(mount.path), clock: options.clock, baseDir: config.baseDir, random: options.random },
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
    return new Station(config, mounts, log)
  }

  /** The mount at `path`, if any. */
  mount(path: string): Mount | undefined {
    return this.mounts.get(path)
  }

  start(): void {
    for (const mount of this.mounts.values()) mount.start()
  }

  /** Stops every mount; listeners' responses end cleanly. */
  async stop(): Promise<void> {
    await Promise.all([...this.mounts.values()].map((mount) => mount.stop()))
  }
}
