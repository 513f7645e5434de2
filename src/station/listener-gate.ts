import type { Listener } from '../broadcast/listener.ts'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { AccessConfig, ListenerAuthConfig } from '../config/access-schema.ts'
import type { StationConfig } from '../config/schema.ts'
import type { Logger } from '../log.ts'
import type { Mount } from '../mount/mount.ts'
import { AccessList } from '../security/access-list.ts'
import type { AddressRange } from '../security/address-range.ts'
import { parseRange } from '../security/address-range.ts'
import type { Exclusion } from '../security/access-list.ts'
import type { Credentials } from '../security/credentials.ts'
import type { AuthAnswer, ListenerFields } from '../security/listener-auth/url-auth.ts'
import { UrlAuth } from '../security/listener-auth/url-auth.ts'
import { UserFile } from '../security/listener-auth/user-file.ts'
import { resolve } from 'node:path'

/** A listener asking in: who it says it is, as the auth server hears it. */
export interface Knock {
  readonly address: string
  readonly userAgent: string
  /** Its HTTP Basic credentials, if it sent any. */
  readonly credentials?: Credentials
  /** The path it asked for with its query string (`/live?token=abc`). */
  readonly target: string
  /** The server name and port it reached (Icecast's `server` and `port` fields). */
  readonly server: string
  readonly port: number
  readonly headers: ReadonlyMap<string, string> | Headers
}

/** Let in: the listener's id (asked of the auth server with it), user and time limit. */
export interface Pass {
  readonly id: number
  readonly user?: string
  readonly timeLimitMs?: number
  readonly fields?: Omit<ListenerFields, 'requestHeaders'>
}

/** Turned away: the status, the message for the listener, and headers to send. */
export interface Turned {
  readonly status: number
  readonly message: string
  readonly headers?: Record<string, string>
}

interface MountGate {
  readonly access: AccessList
  config: { access?: AccessConfig; auth?: ListenerAuthConfig }
  users?: UserFile
  url?: UrlAuth
  readonly perAddress: Map<string, number>
  readonly perUser: Map<string, number>
}

const plain = (status: number, message: string, headers?: Record<string, string>): Turned => ({
  status,
  message,
  ...(headers && { headers }),
})

const bump = (counts: Map<string, number>, key: string, by: number): void => {
  const next = (counts.get(key) ?? 0) + by
  if (next > 0) counts.set(key, next)
  else counts.delete(key)
}

/** Options for a gate: the station's log and clock, the user agent of auth requests, and how to find listeners. */
export interface GateOptions {
  readonly log: Logger
  readonly clock?: Clock
  readonly userAgent: string
  readonly nextListenerId: () => number
  /** Every listener connected now, with the mount it came for. */
  readonly listeners: () => Iterable<[Listener, Mount]>
}

/**
 * Who may listen, checked before a listener is added: bans and allow lists (the station's and the
 * mount's), a cap per address, a login (an htpasswd file's users, or Icecast's URL authentication),
 * and how long each may stay (`maxListenerDuration`, the auth server's time limit). Bans added
 * here (the admin API) end the listeners they cover at once, and stay through reloads.
 *
 * @example
 * const gate = await ListenerGate.open(config, { log, userAgent, nextListenerId, listeners })
 * const turned = gate.exclusion(mount, address) // 403 for a banned address
 */
export class ListenerGate {
  readonly #options: GateOptions
  readonly #clock: Clock
  readonly #station = new AccessList()
  readonly #perAddress = new Map<string, number>()
  readonly #mounts = new Map<string, MountGate>()
  readonly #followed = new WeakSet<Listener>()
  #config: StationConfig
  #proxies: AddressRange[] = []

  private constructor(config: StationConfig, options: GateOptions) {
    this.#config = config
    this.#options = options
    this.#clock = options.clock ?? systemClock
  }

  /** A gate for `config`'s mounts; rejects when a user file cannot be read. */
  static async open(config: StationConfig, options: GateOptions): Promise<ListenerGate> {
    const gate = new ListenerGate(config, options)
    ;(await gate.prepare(config))()
    return gate
  }

  /**
   * Reads what a configuration needs (its user files) without applying it; the function returned
   * applies it: new lists and logins, and listeners now banned are ended. Rejects when a user file
   * cannot be read.
   */
  async prepare(config: StationConfig): Promise<() => void> {
    const opened = await Promise.all(config.mounts.map(async (mount) => {
      const users = mount.auth?.users
      const path = users === undefined ? undefined : resolve(config.baseDir ?? '.', users)
      const existing = path === undefined ? undefined : this.#mounts.get(mount.path)?.users
      const file = path === undefined ? undefined : existing?.path === path ? existing : await UserFile.open(
        path,
        (problem) => this.#options.log.warn(`${mount.path}: ${problem}`),
      )
      return [mount, file] as const
    }))
    return () => {
      this.#config = config
      this.#proxies = config.trustedProxies.map((text) => parseRange(text)!)
      this.#station.configure(config.access)
      for (const [mount, users] of opened) {
        const gate: MountGate = this.#mounts.get(mount.path) ?? {
          access: new AccessList(),
          config: {},
          perAddress: new Map(),
          perUser: new Map(),
        }
        const url = mount.auth?.url
        // The same settings keep their auth client, and the answers it has to reuse.
        if (JSON.stringify(url) !== JSON.stringify(gate.config.auth?.url)) {
          gate.url = url && new UrlAuth({
            ...url,
            timeoutMs: url.timeout * 1000,
            cacheMs: url.cacheSeconds * 1000,
          }, { userAgent: this.#options.userAgent, now: () => this.#clock.now() })
        }
        gate.access.configure(mount.access ?? {})
        gate.config = { access: mount.access, auth: mount.auth }
        gate.users = users
        this.#mounts.set(mount.path, gate)
      }
      for (const path of [...this.#mounts.keys()]) {
        if (!config.mounts.some((m) => m.path === path)) this.#mounts.delete(path)
      }
      this.#endExcluded('the configuration now bans its address')
      // Listeners the gate did not follow, when a new cap or limit needs them counted or timed.
      for (const [listener, mount] of this.#options.listeners()) {
        if (this.#followed.has(listener)) continue
        const user = listener.info.user
        this.follow(listener, mount, { id: listener.id, ...(user !== undefined && { user }) })
      }
    }
  }

  /** The reverse proxies whose `X-Forwarded-For` names the client (`trustedProxies`). */
  get trustedProxies(): readonly AddressRange[] {
    return this.#proxies
  }

  /** Why `address` may not listen to `mount` (403), or undefined when it may. */
  exclusion(mount: Mount, address: string): Turned | undefined {
    const station = this.#station.exclusion(address)
    if (station) return plain(403, forbidden(station, address, 'this station'))
    const own = this.#mounts.get(mount.path)?.access.exclusion(address)
    return own && plain(403, forbidden(own, address, mount.path))
  }

  /** Whether `mount` asks listeners to log in (a user file, or a `listenerAdd` URL). */
  locked(mount: Mount): boolean {
    const gate = this.#mounts.get(mount.path)
    return gate?.users !== undefined || gate?.url?.options.listenerAdd !== undefined
  }

  /**
   * Lets a listener whose address may listen (`exclusion`) in, or turns it away: over the cap for
   * its address (403), not logged in (401 with a challenge, the auth server's message), the auth
   * server unavailable (503). Checked again right before it is added (`capped`), since a login
   * takes time.
   */
  async admit(mount: Mount, knock: Knock): Promise<Pass | Turned> {
    const capped = this.capped(mount, knock.address)
    if (capped) return capped
    const gate = this.#mounts.get(mount.path)
    const id = this.#options.nextListenerId()
    if (gate?.users) {
      const user = knock.credentials?.user
      if (!(await gate.users.check(knock.credentials))) {
        if (knock.credentials) {
          mount.log.info(`listener login refused from ${knock.address}: wrong user name or password`)
        }
        return plain(401, `${mount.path} is for its listeners only: log in with your user name and password`, {
          'WWW-Authenticate': `Basic realm="${mount.path}"`,
        })
      }
      if (gate.config.auth?.allowDuplicateUsers === false && (gate.perUser.get(user!) ?? 0) > 0) {
        return plain(403, `${user} is already listening to ${mount.path}: one connection per user`)
      }
      return gate.url ? { id, user, fields: this.#fields(id, knock) } : { id, user }
    }
    if (!gate?.url) return { id }
    const fields = this.#fields(id, knock)
    // With no listenerAdd, everyone is admitted, and a listenerRemove still hears who left.
    const answer: AuthAnswer = await gate.url.listenerAdd({ ...fields, requestHeaders: knock.headers })
    if (!answer.admitted) {
      if (answer.unavailable) {
        mount.log.warn(
          `auth server unavailable: refusing listener from ${knock.address} (onError: refuse): ${answer.why}`,
        )
      } else mount.log.info(`listener from ${knock.address} refused by the auth server: ${answer.message}`)
      return answer.unavailable ? plain(503, answer.message, { 'Retry-After': '10' }) : plain(401, answer.message, {
        'WWW-Authenticate': `Basic realm="${mount.path}"`,
        'icecast-auth-message': answer.message,
      })
    }
    if (answer.via === 'fail open') {
      mount.log.warn(
        `auth server unavailable: admitting listener from ${knock.address} (onError: admit): ${answer.why}`,
      )
    }
    return {
      id,
      ...(fields.user && { user: fields.user }),
      ...(answer.timeLimitMs !== undefined && { timeLimitMs: answer.timeLimitMs }),
      // Let in on an answer reused from the cache, it was never announced: no listener_remove either.
      ...(answer.via !== 'cache' && { fields }),
    }
  }

  /** Why one more listener from `address` would be one too many (403), or undefined. */
  capped(mount: Mount, address: string): Turned | undefined {
    const stationCap = this.#config.access.maxListenersPerAddress
    if (stationCap !== undefined && (this.#perAddress.get(address) ?? 0) >= stationCap) {
      return plain(403, `too many listeners from ${address}: the station allows ${stationCap} per address`)
    }
    const gate = this.#mounts.get(mount.path)
    const mountCap = gate?.config.access?.maxListenersPerAddress
    if (mountCap !== undefined && (gate!.perAddress.get(address) ?? 0) >= mountCap) {
      return plain(403, `too many listeners from ${address}: ${mount.path} allows ${mountCap} per address`)
    }
    return undefined
  }

  /**
   * Follows an added listener: counted for its address (and user), ended when its time is up (the
   * shortest of the station's and the mount's `maxListenerDuration` and the auth server's limit),
   * and `listener_remove` told when it leaves.
   */
  follow(listener: Listener, mount: Mount, pass: Pass): void {
    const gate = this.#mounts.get(mount.path)
    // Most stations need nothing per listener: then a listener costs the gate nothing either.
    if (!pass.fields && pass.timeLimitMs === undefined && !this.#needsFollowing(gate)) return
    this.#followed.add(listener)
    const address = listener.info.address
    bump(this.#perAddress, address, 1)
    if (gate) bump(gate.perAddress, address, 1)
    if (gate && pass.user !== undefined) bump(gate.perUser, pass.user, 1)
    const limits = [
      this.#config.access.maxListenerDuration,
      gate?.config.access?.maxListenerDuration,
    ].flatMap((s) => (s === undefined ? [] : [s * 1000]))
    if (pass.timeLimitMs !== undefined) limits.push(pass.timeLimitMs)
    // Only a listener with a limit has a timer (and its means to stop it): most have none.
    const stop = limits.length > 0 ? new AbortController() : undefined
    if (stop) {
      const limit = Math.min(...limits)
      // Counted from when it connected (a limit a reload brings applies to those already listening).
      void this.#clock.sleep(limit - (this.#clock.now() - listener.connectedAt), stop.signal).then(() => {
        if (stop.signal.aborted) return
        mount.log.info(`listener #${listener.id} ${address}: its ${Math.round(limit / 1000)} s are up, ending it`)
        listener.close('kicked')
      })
    }
    void listener.closed.then(() => {
      stop?.abort()
      bump(this.#perAddress, address, -1)
      if (gate) bump(gate.perAddress, address, -1)
      if (gate && pass.user !== undefined) bump(gate.perUser, pass.user, -1)
      if (gate?.url && pass.fields) {
        void gate.url.listenerRemove(pass.fields, (this.#clock.now() - listener.connectedAt) / 1000)
      }
    })
  }

  /** Bans an address or range on the station, or on one mount, from now on; its listeners are ended. Throws when `text` is not one. */
  ban(text: string, mount?: Mount): number {
    const list = mount ? this.#mounts.get(mount.path)?.access : this.#station
    const range = list!.ban(text)
    return this.#endExcluded(`banned (${range.text})`)
  }

  /** Lifts a ban added at run time; false when there was none. */
  unban(text: string, mount?: Mount): boolean {
    return (mount ? this.#mounts.get(mount.path)?.access : this.#station)?.unban(text) ?? false
  }

  /** The bans and allow lists, of the station and of each mount that has any. */
  get lists(): { station: BanList; mounts: Record<string, BanList> } {
    const of = (list: AccessList): BanList => ({ ...list.bans, allowed: list.allowed })
    return {
      station: of(this.#station),
      mounts: Object.fromEntries([...this.#mounts].map(([path, gate]) => [path, of(gate.access)])),
    }
  }

  /** The auth server of `mount`, if it has one (for `stream_auth` and the mount notifications). */
  urlAuth(mount: Mount): UrlAuth | undefined {
    return this.#mounts.get(mount.path)?.url
  }

  /** Tells `mount`'s auth server its source started or stopped (`mount_add`, `mount_remove`), when it asks to be told. */
  mountEvent(mount: Mount, action: 'mount_add' | 'mount_remove'): void {
    const url = this.#mounts.get(mount.path)?.url
    if (url) void url.mountEvent(action, { mount: mount.path, ...this.whereabouts })
  }

  /**
   * The station's name and port as the auth server is told them in the hooks that have no
   * listener's request to read them from (Icecast's `<hostname>` and port): the `publicUrl`'s, else
   * the address it listens on (`localhost` for every address) and its HTTP port.
   */
  get whereabouts(): { server: string; port: number } {
    const shown = this.#config.publicUrl ? new URL(this.#config.publicUrl) : undefined
    if (shown) return { server: shown.hostname, port: Number(shown.port) || (shown.protocol === 'https:' ? 443 : 80) }
    const host = this.#config.host
    return { server: host === '0.0.0.0' || host === '::' ? 'localhost' : host, port: this.#config.port }
  }

  /** A listener's fields for the auth server, as Icecast names them. */
  #fields(id: number, knock: Knock): Omit<ListenerFields, 'requestHeaders'> {
    return {
      client: id,
      server: knock.server,
      port: knock.port,
      mount: knock.target,
      user: knock.credentials?.user ?? '',
      pass: knock.credentials?.password ?? '',
      ip: knock.address,
      agent: knock.userAgent,
    }
  }

  /** Whether listeners of a mount must be counted or timed: a cap, a longest time, an auth server, one connection per user. */
  #needsFollowing(gate: MountGate | undefined): boolean {
    const station = this.#config.access
    const own = gate?.config.access
    return station.maxListenersPerAddress !== undefined || station.maxListenerDuration !== undefined ||
      own?.maxListenersPerAddress !== undefined || own?.maxListenerDuration !== undefined || gate?.url !== undefined ||
      (gate?.users !== undefined && gate.config.auth?.allowDuplicateUsers === false)
  }

  /** Ends every listener whose address is now excluded from the mount it came for; how many. */
  #endExcluded(why: string): number {
    let ended = 0
    for (const [listener, mount] of this.#options.listeners()) {
      if (!this.exclusion(mount, listener.info.address)) continue
      mount.log.info(`listener #${listener.id} ${listener.info.address} ended: ${why}`)
      listener.close('kicked')
      ended++
    }
    return ended
  }
}

/** A list of bans as the admin API shows it. */
export interface BanList {
  configured: string[]
  added: string[]
  allowed: string[]
}

const forbidden = (why: Exclusion, address: string, where: string): string =>
  why === 'banned' ? `${address} is banned from ${where}` : `${address} is not on the allow list of ${where}`
