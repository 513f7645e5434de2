import type { ListenerFactory } from '../broadcast/broadcaster.ts'
import type { Listener, ListenerInfo } from '../broadcast/listener.ts'
import type { StreamParams } from '../format/params.ts'
import { describeParams, paramsMismatch } from '../format/params.ts'
import type { Logger } from '../log.ts'
import type { Mount } from '../mount/mount.ts'
import type { Result } from '../util/result.ts'
import { done, refused } from '../util/result.ts'

/**
 * Where every listener is. Each listener has a home, the mount it asked for (or was moved to), and
 * is served by its home while that is on air, else by the first mount on air along its home's
 * fallback chain; it follows as mounts go on and off air, on one unbroken stream. One map, kept by
 * the station.
 *
 * @example
 * const routing = new ListenerRouting(mounts, log)
 * const listener = routing.add(mount, info) // served by mount, or its fallback while it is off air
 * mount.observeInput(() => routing.reroute())
 */
export class ListenerRouting {
  readonly #mounts: ReadonlyMap<string, Mount>
  readonly #log: Logger
  readonly #homes = new Map<Listener, Mount>()

  constructor(mounts: ReadonlyMap<string, Mount>, log: Logger) {
    this.#mounts = mounts
    this.#log = log
  }

  /** The mount listeners of `mount` hear while it is off air. */
  fallbackOf(mount: Mount): Mount | undefined {
    const path = mount.config.fallbackMount
    return path === undefined ? undefined : this.#mounts.get(path)
  }

  /** The mount whose audio listeners of `mount` hear now: itself when on air, else the first on air along its fallback chain. */
  serving(mount: Mount): Mount | undefined {
    return this.#chain(mount).find((m) => m.isOnAir)
  }

  /** The stream of the first mount after `mount` along its fallback chain that has one: what a new source of `mount` must match. */
  fallbackStream(mount: Mount): { path: string; params: StreamParams } | undefined {
    const found = this.#chain(mount).slice(1).find((m) => m.params !== undefined)
    return found ? { path: found.path, params: found.params! } : undefined
  }

  /**
   * Adds a listener of `mount`, burst first, to the mount serving it now (itself, or its fallback
   * while it is off air); it follows `mount` as that goes on and off air.
   */
  add(mount: Mount, info: ListenerInfo, factory?: ListenerFactory): Listener {
    const listener = (this.serving(mount) ?? mount).broadcaster.add(info, factory)
    this.#setHome(listener, mount)
    return listener
  }

  /** Every listener, with its home. */
  entries(): IterableIterator<[Listener, Mount]> {
    return this.#homes.entries()
  }

  /** Listeners whose home is `mount`, wherever they are served from now. */
  homeListeners(mount: Mount): Listener[] {
    return [...this.#homes].filter(([, home]) => home === mount).map(([listener]) => listener)
  }

  /**
   * Moves a connected listener to `to`'s broadcaster without closing its stream; refused (with the
   * reason) when `to` carries another stream (format, sample rate or channels), which players
   * cannot follow mid-stream.
   */
  move(listener: Listener, to: Mount): Result {
    const from = [...this.#mounts.values()].find((m) => m.broadcaster === listener.host)
    if (!from) return refused('the listener is gone')
    if (from === to) return done()
    const heard = from.params
    const next = to.params
    if (!next) return refused(`${to.path} has no stream yet`)
    if (heard && paramsMismatch(heard, next)) {
      return refused(`${to.path} plays ${describeParams(next)}, the listener hears ${describeParams(heard)}`)
    }
    return from.broadcaster.transfer(listener, to.broadcaster) ? done() : refused('the listener is gone')
  }

  /**
   * Moves every listener of `from` to `to` (Icecast's `moveclients`) without disconnecting them;
   * `to` is their home from then on. Done with how many moved, or refused: `to` is off air, or its
   * stream differs in format, sample rate or channels.
   */
  moveAll(from: Mount, to: Mount): Result<number> {
    if (from === to) return refused('the mounts are the same')
    const serving = this.serving(to)
    if (!serving?.params) return refused(`${to.path} is off air`)
    const heard = from.params
    if (heard && paramsMismatch(heard, serving.params)) {
      return refused(
        `${to.path} plays ${describeParams(serving.params)} and ${from.path} ${
          describeParams(heard)
        }: players cannot follow such a change mid-stream`,
      )
    }
    let moved = 0
    for (const listener of from.broadcaster.listeners()) {
      if (!this.move(listener, serving).ok) continue
      this.#setHome(listener, to)
      moved++
    }
    this.#log.info(`moved ${moved} listener(s) from ${from.path} to ${to.path}`)
    return done(moved)
  }

  /** Moves listeners so that each hears the first mount on air along its home's fallback chain; one that cannot follow is ended so its player reconnects. */
  reroute(): void {
    for (const [listener, home] of [...this.#homes]) {
      const serving = this.serving(home)
      if (!serving || listener.host === serving.broadcaster) continue
      const moved = this.move(listener, serving)
      if (moved.ok) continue
      home.log.warn(
        `listener #${listener.id} cannot follow to ${serving.path} (${moved.reason}); ending its response so its player reconnects`,
      )
      listener.close('shutdown')
    }
  }

  /** Every listener whose home is `from` makes `to` its home (`from` is going away); `reroute` then moves them. */
  rehome(from: Mount, to: Mount): void {
    for (const listener of this.homeListeners(from)) this.#homes.set(listener, to)
  }

  /**
   * Moves the listeners `mount` serves for other mounts (as their fallback) back to their own
   * home's broadcaster, to wait there: `mount` is going away. One that cannot follow is ended.
   */
  evacuate(mount: Mount): void {
    for (const [listener, home] of [...this.#homes]) {
      if (home === mount || listener.host !== mount.broadcaster) continue
      const to = this.serving(home) ?? home
      if (to === mount) continue
      const moved = to.params ? this.move(listener, to).ok : mount.broadcaster.transfer(listener, to.broadcaster)
      if (!moved) listener.close('shutdown')
    }
  }

  /** Makes `mount` the listener's home, forgotten when the listener leaves. */
  #setHome(listener: Listener, mount: Mount): void {
    if (!this.#homes.has(listener)) void listener.closed.then(() => this.#homes.delete(listener))
    this.#homes.set(listener, mount)
  }

  /** `mount`, then its fallback, its fallback's fallback … (each once). */
  #chain(mount: Mount): Mount[] {
    const chain: Mount[] = []
    for (let next: Mount | undefined = mount; next && !chain.includes(next); next = this.fallbackOf(next)) {
      chain.push(next)
    }
    return chain
  }
}
