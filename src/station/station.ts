import type { ListenerFactory } from '../broadcast/broadcaster.ts'
import type { Listener, ListenerInfo } from '../broadcast/listener.ts'
import type { Clock } from '../clock.ts'
import type { MountConfig, StationConfig } from '../config/schema.ts'
import { liveEnabled } from '../config/schema.ts'
import type { Logger } from '../log.ts'
import { silentLogger } from '../log.ts'
import type { ListenerHistoryOptions } from '../mount/listener-history.ts'
import { Mount } from '../mount/mount.ts'
import { AuthThrottle } from '../security/throttle.ts'
import type { AuthThrottleOptions } from '../security/throttle.ts'
import type { Result } from '../util/result.ts'
import { VERSION } from '../version.ts'
import type { ReloadReport } from './reload-report.ts'
import { describeReload, stationRestartSettings, stationSettingsDiffer } from './reload-report.ts'
import { ListenerGate } from './listener-gate.ts'
import { ListenerRouting } from './routing.ts'

export interface StationOptions {
  log?: Logger
  clock?: Clock
  random?: () => number
  /** Back-off after failed logins (source clients, admin), per address. */
  authThrottle?: AuthThrottleOptions
  /** Resolution and retention of each mount's listener history (default: 10 s, 24 hours). */
  listenerHistory?: ListenerHistoryOptions
  /** Reads the configuration afresh (the config file), for `rereadConfig` (SIGHUP, the admin `reload`). */
  configSource?: () => Promise<StationConfig>
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
  readonly mounts: ReadonlyMap<string, Mount>
  readonly log: Logger
  readonly startedAt: Date = new Date()
  /** Per-address back-off shared by every password check (source logins and the admin API). */
  readonly authThrottle: AuthThrottle
  /** Where every listener is: its home mount, and the mount serving it now. */
  readonly routing: ListenerRouting
  /** Who may listen: bans, caps, logins and time limits. */
  readonly gate: ListenerGate
  readonly #mounts = new Map<string, Mount>()
  readonly #options: StationOptions
  #config: StationConfig
  #lastListenerId = 0
  #started = false
  #reloading: Promise<unknown> = Promise.resolve()

  private constructor(config: StationConfig, log: Logger, options: StationOptions, gate: ListenerGate) {
    this.gate = gate
    this.#config = config
    this.#options = options
    this.mounts = this.#mounts
    this.routing = new ListenerRouting(this.#mounts, log)
    this.log = log
    this.authThrottle = new AuthThrottle({ clock: options.clock, ...options.authThrottle })
  }

  /** Opens every mount's playlist; throws a StationError naming each mount that has nothing playable. */
  static async open(config: StationConfig, options: StationOptions = {}): Promise<Station> {
    const log = options.log ?? silentLogger
    // The gate is read before the station is made; it reaches the station through this.
    const made: { station?: Station } = {}
    const gate = await ListenerGate.open(config, {
      log,
      clock: options.clock,
      userAgent: `airwave/${VERSION}`,
      nextListenerId: () => made.station!.#nextListenerId(),
      listeners: () => made.station?.routing.entries() ?? [],
    }).catch((error) => {
      throw new StationError(messageOf(error))
    })
    const station = made.station = new Station(config, log, options, gate)
    for (const mount of await station.#openMounts(config.mounts, config)) station.#add(mount)
    return station
  }

  /** Its configuration as running now (a reload may change it). */
  get config(): StationConfig {
    return this.#config
  }

  /**
   * Takes a new configuration without a restart, as SIGHUP does: new mounts open and start; the
   * others take their new settings (see `Mount.prepare`: the programme from the next track); a
   * removed mount's listeners move to its fallback (else their responses end cleanly) and it stops;
   * credentials apply at once. Settings that need a restart (ports, workers, …) are kept and
   * named. Nothing changes when a new or changed playlist has nothing playable: a StationError
   * says why, and the station runs on as it was. Reloads run one at a time.
   *
   * @example
   * const report = await station.reload(parseStationConfig(json, 'airwave.json'))
   * console.log(report.kept) // ['port']
   */
  reload(next: StationConfig): Promise<ReloadReport> {
    return this.#inTurn(() => this.#reload(next))
  }

  /**
   * Reads the configuration afresh from its source (the config file the station started from) and
   * reloads it (see `reload`). When the file has errors, or a playlist has nothing playable, the
   * station runs on unchanged: the error, with the same messages as at start-up, is logged and thrown.
   *
   * @example
   * runtime.onReloadSignal(() => station.rereadConfig().catch(() => {}))
   */
  async rereadConfig(): Promise<ReloadReport> {
    const source = this.#options.configSource
    try {
      // Read in turn with the other reloads, so the file read last is the one applied last.
      return await this.#inTurn(async () => {
        if (!source) throw new StationError('there is no configuration to re-read (no configSource was given)')
        return await this.#reload(await source())
      })
    } catch (error) {
      const [first, ...more] = messageOf(error).split('\n')
      this.log.error(`reload refused; carrying on as before: ${first}`)
      for (const line of more) this.log.error(`  ${line.trim()}`)
      throw error
    }
  }

  /** Runs `task` once the reloads before it have ended, whatever their outcome. */
  #inTurn<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#reloading.then(task)
    this.#reloading = run.catch(() => {})
    return run
  }

  async #reload(next: StationConfig): Promise<ReloadReport> {
    const running = this.#config
    const added = next.mounts.filter((mount) => !this.#mounts.has(mount.path))
    const removed = [...this.#mounts.values()].filter((mount) => !next.mounts.some((m) => m.path === mount.path))
    const held = stationRestartSettings(running, next)
    const kept: string[] = [...held]
    if (!liveEnabled(running) && liveEnabled(next)) kept.push('sourcePassword (the source port opens at start-up)')
    // Every mount is prepared (its playlists scanned afresh); "updated" names those whose settings change.
    const staying = next.mounts.filter((m) => this.#mounts.has(m.path))
    const prepared = await Promise.allSettled(staying.map((m) => this.#mounts.get(m.path)!.prepare(m)))
    const failures = prepared.flatMap((result, i) =>
      result.status === 'rejected' ? [`${staying[i]!.path}: ${messageOf(result.reason)}`] : []
    )
    let opened: Mount[] = []
    let applyGate: (() => void) | undefined
    try {
      applyGate = await this.gate.prepare(next)
    } catch (error) {
      failures.push(messageOf(error))
    }
    try {
      opened = await this.#openMounts(added, next)
    } catch (error) {
      failures.push(messageOf(error))
    }
    if (failures.length > 0) {
      await Promise.all(opened.map((mount) => mount.stop()))
      throw new StationError(failures.join('\n'))
    }
    this.#config = { ...next, ...Object.fromEntries(held.map((key) => [key, running[key]])) }
    const updated: string[] = stationSettingsDiffer(running, next, held) ? ['station settings'] : []
    for (const [i, result] of prepared.entries()) {
      if (result.status !== 'fulfilled') continue
      if (await result.value.apply()) updated.push(staying[i]!.path)
      for (const key of result.value.kept) kept.push(`${staying[i]!.path} ${key}`)
    }
    for (const mount of opened) {
      this.#add(mount)
      if (this.#started) mount.start()
    }
    for (const mount of removed) await this.#remove(mount)
    this.#reroute()
    applyGate!()
    const report = {
      added: added.map((m) => m.path),
      removed: removed.map((m) => m.path),
      updated,
      kept,
    }
    this.log.info(describeReload(report))
    return report
  }

  #nextListenerId(): number {
    return ++this.#lastListenerId
  }

  /** Opens mounts (not yet added); throws a StationError naming each that has nothing playable. */
  async #openMounts(configs: readonly MountConfig[], station: StationConfig): Promise<Mount[]> {
    const options = this.#options
    const results = await Promise.allSettled(
      configs.map((mount) =>
        Mount.open(mount, {
          log: this.log.child(mount.path),
          clock: options.clock,
          baseDir: station.baseDir,
          random: options.random,
          nextListenerId: () => this.#nextListenerId(),
          listenerHistory: options.listenerHistory,
          fallbackStream: () => {
            const self = this.#mounts.get(mount.path)
            return self ? this.routing.fallbackStream(self) : undefined
          },
        })
      ),
    )
    const failures = results.flatMap((result, index) =>
      result.status === 'rejected' ? [`${configs[index]!.path}: ${messageOf(result.reason)}`] : []
    )
    const opened = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    if (failures.length === 0) return opened
    await Promise.all(opened.map((mount) => mount.stop()))
    throw new StationError(failures.join('\n'))
  }

  #add(mount: Mount): void {
    this.#mounts.set(mount.path, mount)
    let live = false
    mount.observeInput(() => {
      this.#reroute()
      // Icecast's mount_add and mount_remove: a source client starts and stops streaming.
      const now = mount.input === 'live'
      if (now !== live) this.gate.mountEvent(mount, now ? 'mount_add' : 'mount_remove')
      live = now
    })
  }

  /**
   * Takes a mount away: listeners who came for it go to its fallback (their home from then on), or
   * their responses end; listeners it served as another mount's fallback go back to their own.
   */
  async #remove(mount: Mount): Promise<void> {
    const fallbackPath = mount.config.fallbackMount
    const fallback = fallbackPath === undefined ? undefined : this.#mounts.get(fallbackPath)
    // Still in the map while its listeners move: a move starts from the mount serving them.
    if (fallback) this.routing.rehome(mount, fallback)
    this.routing.reroute()
    this.routing.evacuate(mount)
    this.#mounts.delete(mount.path)
    const left = mount.broadcaster.size
    if (left > 0) mount.log.info(`removed: ending ${left} listener(s) that have nowhere to go`)
    await mount.stop('the mount was removed from the configuration')
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
    this.#started = true
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

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
