import type { AudioFormat, StreamParams } from '../format/format.ts'
import { describeParams, paramsMismatch } from '../format/format.ts'
import type { ListenerFactory } from '../broadcast/broadcaster.ts'
import { Broadcaster } from '../broadcast/broadcaster.ts'
import type { Listener, ListenerInfo } from '../broadcast/listener.ts'
import type { ListenerHistoryOptions } from './listener-history.ts'
import { ListenerHistory } from './listener-history.ts'
import type { MountConfig } from '../config/schema.ts'
import type { Logger } from '../log.ts'
import { silentLogger } from '../log.ts'
import type { Chunk } from '../pipeline/chunk.ts'
import { Chunker } from '../pipeline/chunker.ts'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { Pacer } from '../pipeline/pacer.ts'
import type { SourceConnection, SourceInfo } from '../input/live/source-info.ts'
import type { FeedKind, FrameFeed } from '../input/live/feed.ts'
import { PlaylistSource } from '../input/playlist/playlist-source.ts'
import { RelayClient } from '../input/relay/relay-client.ts'
import type { InputKind } from '../input/switch.ts'
import { SourceSwitch } from '../input/switch.ts'
import type { Track } from '../input/track.ts'
import { displayTitle, titleFromPath } from '../input/track.ts'
import { readTrackTags } from '../input/playlist/track-tags.ts'

export interface MountOptions {
  clock?: Clock
  log?: Logger
  /** Where relative playlist entries resolve. */
  baseDir?: string
  random?: () => number
  /** Allocates listener ids; the station shares one counter among its mounts. */
  nextListenerId?: () => number
  /** Seconds without data after which a live or relayed source is dropped (the mount's own setting wins). */
  sourceTimeout?: number
  /** Resolution and retention of the listener count's history (the dashboard's chart). */
  listenerHistory?: ListenerHistoryOptions
}

/** The stream's parameters plus its nominal bitrate (kbit/s). */
export type MountParams = StreamParams & { bitrate: number }

/** A track that went on air: when (clock ms and wall time) and where in the stream it began. */
export interface OnAir {
  readonly track: Track
  /** Clock time (ms) its first chunk went out at the live edge. */
  readonly since: number
  readonly startedAt: Date
  /** Stream position (seconds) at which the track begins. */
  readonly position: number
}

/** What listeners are told about a stream (`icy-*` headers, status): the mount's config, completed by its source's. */
export interface StreamInfo {
  name?: string
  description?: string
  genre?: string
  url?: string
  public: boolean
}

/** Why a source cannot connect: an HTTP status and a message for the source client's operator. */
export interface SourceRefusal {
  status: number
  reason: string
}

/** Assumed bitrate (kbit/s) for sizing listener queues before a live-only mount knows its stream. */
const UNKNOWN_BITRATE = 320

/** The mount each broadcaster belongs to, and the mount each listener asked for (its home). */
const mountOfBroadcaster = new WeakMap<Broadcaster, Mount>()
const homeOf = new WeakMap<Listener, Mount>()

/** What a mount tells its observers: a new track on air, a change in who is listening, or the end. */
export type MountEvent = ({ type: 'track' } & OnAir) | { type: 'listeners'; listeners: ListenerCounts } | { type: 'end' }

/** Listener counts: connections now, the most at once, and distinct address + user agent pairs now. */
export interface ListenerCounts {
  readonly current: number
  readonly peak: number
  readonly unique: number
}

/** How many finished tracks a mount remembers. */
export const HISTORY_LENGTH = 10

/**
 * A mount: one stream at one path. Its inputs (a live source client, a relay, its playlist) meet in
 * a switch that feeds one chunker, the pacer releases the chunks on time, and its broadcaster hands
 * them to every listener. A mount without a playlist is off air while no source feeds it; its
 * listeners then hear its fallback mount, if it has one, and come back when a source connects.
 *
 * @example
 * const mount = await Mount.open(config, { log })
 * mount.start()
 * const listener = mount.addListener(info)
 */
export class Mount {
  readonly path: string
  readonly config: MountConfig
  readonly broadcaster: Broadcaster
  /** Sources admitted since start, live DJs and relay connections apart. */
  readonly sourceConnections: Record<FeedKind, number> = { live: 0, relay: 0 }
  readonly log: Logger
  /** Wall-clock time the mount started streaming. */
  readonly startedAt: Date = new Date()
  /** Milliseconds without data after which a live or relayed source is dropped. */
  readonly sourceTimeoutMs: number
  /** How many listeners heard the mount over time, since start (the dashboard's chart). */
  readonly listenerHistory: ListenerHistory
  #onAir: OnAir | undefined
  #history: OnAir[] = []
  #next: { path: string; track: Promise<Track> } | undefined
  readonly #observers = new Set<(event: MountEvent) => void>()
  readonly #playlist: PlaylistSource | undefined
  readonly #input: SourceSwitch
  readonly #chunker: Chunker
  readonly #pacer: Pacer
  readonly #clock: Clock
  readonly #relay: RelayClient | undefined
  #params: MountParams | undefined
  #fallback: Mount | undefined
  readonly #sources = new Map<FeedKind, SourceConnection>()
  /** The connection of each feed, kept after it disconnects while its last audio plays. */
  readonly #connectionOf = new WeakMap<FrameFeed, SourceConnection>()
  readonly #home = new Set<Listener>()
  readonly #inputObservers = new Set<(mount: Mount) => void>()
  #running: Promise<void> | undefined

  private constructor(config: MountConfig, playlist: PlaylistSource | undefined, options: MountOptions) {
    this.path = config.path
    this.config = config
    this.log = options.log ?? silentLogger
    this.#clock = options.clock ?? systemClock
    this.#playlist = playlist
    this.#params = playlist?.params
    this.sourceTimeoutMs = (config.sourceTimeout ?? options.sourceTimeout ?? 10) * 1000
    const bytesPerSecond = ((this.#params?.bitrate ?? UNKNOWN_BITRATE) * 1000) / 8
    this.broadcaster = new Broadcaster({
      burstSeconds: config.burst,
      slowLimit: config.slowListenerLimit,
      highWaterMark: Math.ceil(bytesPerSecond * (config.burst + 2)) + 16 * 1024,
      clock: this.#clock,
      nextId: options.nextListenerId,
    })
    mountOfBroadcaster.set(this.broadcaster, this)
    this.#input = new SourceSwitch(playlist)
    this.listenerHistory = new ListenerHistory(options.listenerHistory)
    this.broadcaster.observe(() => {
      this.listenerHistory.record(this.broadcaster.size)
      this.#notify({ type: 'listeners', listeners: this.listenerCounts() })
    })
    this.#input.onChange = (active, previous) => this.#inputChanged(active, previous)
    this.#chunker = new Chunker(this.#input, config.chunkDuration)
    this.#pacer = new Pacer(() => this.#chunker.next(), (chunk) => this.#publish(chunk), { clock: this.#clock, log: this.log })
    this.#relay = config.relay ? new RelayClient({ url: config.relay, mount: this, clock: this.#clock, log: this.log, random: options.random }) : undefined
  }

  /**
   * Opens a mount's playlist, if it has one (probing until a file plays), and prepares its pipeline.
   * Throws a PlaylistError when nothing in the playlist is playable.
   */
  static async open(config: MountConfig, options: MountOptions = {}): Promise<Mount> {
    const log = options.log ?? silentLogger
    let playlist: PlaylistSource | undefined
    if (config.playlist) {
      playlist = new PlaylistSource({
        entries: config.playlist,
        baseDir: options.baseDir,
        shuffle: config.shuffle,
        format: config.format,
        log,
        clock: options.clock,
        random: options.random,
      })
      await playlist.open()
    }
    return new Mount(config, playlist, options)
  }

  /**
   * The stream's parameters: its playlist's, or those of the last source that fed it; the bitrate is
   * that of what is on air. Undefined for a mount without a playlist before its first source.
   */
  get params(): MountParams | undefined {
    const source = this.#onAirSource()
    if (!this.#params) return undefined
    const bitrate = source ? (source.info.bitrate ?? source.params?.bitrate) : undefined
    return bitrate ? { ...this.#params, bitrate } : this.#params
  }

  /** The track on air now. */
  get onAir(): OnAir | undefined {
    return this.#onAir
  }

  /** What the mount plays from now: 'live', 'relay', 'playlist', or undefined (off air). */
  get input(): InputKind | undefined {
    return this.#input.active ?? (this.#playlist ? 'playlist' : undefined)
  }

  /** Whether the mount has audio of its own to play (a mount with a playlist always has). */
  get isOnAir(): boolean {
    return this.input !== undefined
  }

  /** The mount whose audio this mount's listeners hear now: itself when on air, else the first on air along its fallback chain. */
  get serving(): Mount | undefined {
    const seen = new Set<Mount>()
    for (let mount: Mount | undefined = this; mount && !seen.has(mount); mount = mount.#fallback) {
      if (mount.isOnAir) return mount
      seen.add(mount)
    }
    return undefined
  }

  /** The mount listeners hear while this one is off air. */
  get fallback(): Mount | undefined {
    return this.#fallback
  }

  /** Sets the fallback mount (the station wires `fallbackMount` paths to mounts). */
  setFallback(mount: Mount | undefined): void {
    this.#fallback = mount
  }

  /** What listeners are told about the stream: the mount's config, completed by its live source's or upstream's own. */
  get streamInfo(): StreamInfo {
    const source: SourceInfo = this.#onAirSource()?.info ?? {}
    const { config } = this
    const info: StreamInfo = { public: config.public || (source.public ?? false) }
    const name = config.name ?? source.name
    const description = config.description ?? source.description
    const genre = config.genre ?? source.genre
    const url = config.url ?? source.url
    if (name !== undefined) info.name = name
    if (description !== undefined) info.description = description
    if (genre !== undefined) info.genre = genre
    if (url !== undefined) info.url = url
    return info
  }

  /** Tracks that went on air before the current one, most recent first. */
  get history(): readonly OnAir[] {
    return this.#history
  }

  /** The track expected next, with its tags, if the source can tell. */
  async next(): Promise<Track | undefined> {
    const path = this.#input.active === 'playlist' ? this.#playlist?.upcoming : undefined
    if (!path) return undefined
    if (this.#next?.path !== path) {
      const track = readTrackTags(path).then((tags) => ({ id: 0, origin: 'playlist' as const, path, title: displayTitle(tags, titleFromPath(path)), ...tags }))
      this.#next = { path, track }
    }
    return this.#next.track
  }

  listenerCounts(): ListenerCounts {
    const listeners = this.broadcaster.listeners()
    return {
      current: listeners.length,
      peak: this.broadcaster.stats.peak,
      unique: new Set(listeners.map((l) => `${l.info.address}\0${l.info.userAgent}`)).size,
    }
  }

  /** Subscribes to track changes, listener joins and leaves, and the end; returns the unsubscribe function. */
  observe(observer: (event: MountEvent) => void): () => void {
    this.#observers.add(observer)
    return () => this.#observers.delete(observer)
  }

  /** Stream position (seconds) of the live edge. */
  get position(): number {
    const last = this.broadcaster.lastChunk
    return last ? last.position + last.duration : 0
  }

  /** How many files the playlist holds. */
  get playlistSize(): number {
    return this.#playlist?.size ?? 0
  }

  /** Whether the mount has a playlist (an AutoDJ) to fall back to. */
  get hasPlaylist(): boolean {
    return this.#playlist !== undefined
  }

  /** The upstream URL, for a relay mount. */
  get relayUrl(): string | undefined {
    return this.config.relay
  }

  describe(): string {
    const params = this.params
    return params ? `${describeParams(params)}, ${params.bitrate} kbit/s` : 'waiting for its first source'
  }

  /** Starts pacing the playlist out to listeners, and the relay pulling. */
  start(): void {
    this.#running ??= this.#pacer.run().catch((error) => {
      this.log.error(`stream stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    })
    this.#relay?.start()
  }

  /** Stops the stream, disconnects its sources and ends every listener's response cleanly. */
  async stop(): Promise<void> {
    this.#pacer.stop()
    this.#playlist?.close()
    this.#input.close()
    await this.#relay?.stop()
    for (const source of [...this.#sources.values()]) source.close('the station is shutting down')
    this.broadcaster.closeAll('shutdown')
    this.#notify({ type: 'end' })
    await this.#running
    await this.#chunker.close().catch(() => {})
  }

  /** Whether another listener may join (maxListeners). */
  get isFull(): boolean {
    return this.config.maxListeners !== undefined && this.broadcaster.size >= this.config.maxListeners
  }

  /**
   * Adds a listener, burst first, to the mount serving this one now (itself, or its fallback while
   * it is off air); the listener follows this mount as it goes on and off air.
   */
  addListener(info: ListenerInfo, factory?: ListenerFactory): Listener {
    const target = this.serving ?? this
    const listener = target.broadcaster.add(info, factory)
    homeOf.set(listener, this)
    this.#home.add(listener)
    void listener.closed.then(() => Mount.#leaveHome(listener))
    return listener
  }

  /** Listeners that asked for this mount (or were moved to it), wherever they are served from now. */
  homeListeners(): Listener[] {
    return [...this.#home]
  }

  /** Makes this mount the listener's home: it follows this mount's fallbacks from now on. */
  adopt(listener: Listener): void {
    Mount.#leaveHome(listener)
    homeOf.set(listener, this)
    this.#home.add(listener)
  }

  static #leaveHome(listener: Listener): void {
    const home = homeOf.get(listener)
    if (home) home.#home.delete(listener)
  }

  /** The mount a broadcaster belongs to. */
  static of(broadcaster: Broadcaster): Mount | undefined {
    return mountOfBroadcaster.get(broadcaster)
  }

  /**
   * Moves a connected listener to `to`'s broadcaster without closing its stream; refused (with the
   * reason) when `to` carries other stream parameters, which players cannot follow mid-stream.
   */
  static moveListener(listener: Listener, to: Mount): string | undefined {
    const owner = Broadcaster.ownerOf(listener)
    if (!owner) return 'the listener is gone'
    if (owner === to.broadcaster) return undefined
    const from = Mount.of(owner)
    const heard = from ? from.#params : undefined
    const next = to.#params
    if (!next) return `${to.path} has no stream yet`
    if (heard && paramsMismatch(heard, next)) return `${to.path} plays ${describeParams(next)}, the listener hears ${describeParams(heard)}`
    owner.transfer(listener, to.broadcaster)
    return undefined
  }

  /** Calls `observer` when the mount goes on or off air or changes input; returns the unsubscribe function. */
  observeInput(observer: (mount: Mount) => void): () => void {
    this.#inputObservers.add(observer)
    return () => this.#inputObservers.delete(observer)
  }

  /** The connected live source client (`live`) or relay connection (`relay`), if any. */
  source(kind: FeedKind): SourceConnection | undefined {
    return this.#sources.get(kind)
  }

  /**
   * Why a new source of `kind` sending `format` cannot connect now, if it cannot: the mount already
   * has one, or the format, sample rate or channels (when declared) differ from what the mount's
   * listeners hear.
   */
  refuseSource(kind: FeedKind, format: AudioFormat, declared: Partial<StreamParams> = {}): SourceRefusal | undefined {
    const current = this.#sources.get(kind)
    if (current && !current.feed.ended) {
      return { status: 403, reason: `Mountpoint in use: ${this.path} already has a ${kind === 'live' ? 'live source' : 'relay'} (from ${current.origin} since ${current.connectedAt.toISOString()})` }
    }
    const constraint = this.#constraint()
    const expected = constraint.params?.format ?? constraint.format
    if (expected && expected !== format) {
      return { status: 403, reason: `Content-type not supported: ${this.path} plays ${expected.toUpperCase()} (${constraint.what}); this source sends ${format.toUpperCase()}` }
    }
    if (constraint.params) {
      const mismatch = paramsMismatch(constraint.params, { format, sampleRate: declared.sampleRate ?? constraint.params.sampleRate, channels: declared.channels ?? constraint.params.channels })
      if (mismatch) return { status: 403, reason: this.#mismatchReason(mismatch, constraint) }
    }
    return undefined
  }

  /** Connects a source: its feed goes on air once it holds its preroll (taking over from the relay or playlist). */
  connectSource(connection: SourceConnection): void {
    this.sourceConnections[connection.kind]++
    this.#sources.set(connection.kind, connection)
    this.#connectionOf.set(connection.feed, connection)
    this.#input.attach(connection.feed)
    const unsubscribe = connection.feed.observe(() => {
      if (!connection.feed.ended) return
      unsubscribe()
      if (this.#sources.get(connection.kind) === connection) this.#sources.delete(connection.kind)
    })
  }

  /**
   * Checks the parameters of a connected source's first frame: refused (with the reason) if they
   * differ from what the mount's playlist or fallback plays; adopted otherwise. A mount without
   * either takes new parameters from a new source, ending the responses of listeners still waiting
   * on the old ones (their players reconnect and get the new stream).
   */
  admit(params: MountParams): string | undefined {
    const constraint = this.#constraint()
    if (constraint.params) {
      const mismatch = paramsMismatch(constraint.params, params)
      if (mismatch) return this.#mismatchReason(mismatch, constraint)
    }
    if (this.#playlist) return undefined
    if (this.#params && paramsMismatch(this.#params, params)) {
      const stranded = this.broadcaster.listeners()
      if (stranded.length > 0) this.log.warn(`new source is ${describeParams(params)}, was ${describeParams(this.#params)}: ending ${stranded.length} waiting listener(s) so their players reconnect`)
      for (const listener of stranded) listener.close('shutdown')
      this.broadcaster.burst.clear()
    }
    this.#params = { format: params.format, sampleRate: params.sampleRate, channels: params.channels, bitrate: params.bitrate }
    return undefined
  }

  /** Disconnects the live source (or, without one, the relay's current connection); false if there is neither. */
  killSource(): boolean {
    const source = this.#sources.get('live') ?? this.#sources.get('relay')
    if (!source) return false
    source.close('killed by an admin')
    return true
  }

  /**
   * Sets the title of the live source (or relayed stream) from its next frame on: a new track, so
   * the change lands on a chunk boundary. False when neither is connected.
   */
  updateTitle(title: string): boolean {
    const source = this.#sources.get('live') ?? this.#sources.get('relay')
    if (!source || source.feed.ended) return false
    source.setTitle(title)
    this.log.info(`title of the ${source.kind === 'live' ? 'live source' : 'relay'} set to: ${title}`)
    return true
  }

  /** Ends the playlist's current track (now, or when the playlist comes back after a live set); false without a playlist. */
  skipTrack(): boolean {
    if (!this.#playlist) return false
    this.#playlist.skip()
    return true
  }

  #onAirSource(): SourceConnection | undefined {
    const feed = this.#input.currentFeed
    return feed ? this.#connectionOf.get(feed) : undefined
  }

  /** What a new source must match: the playlist, or the first mount along the fallback chain with a stream. */
  #constraint(): { params?: StreamParams; format?: AudioFormat; what: string } {
    if (this.#playlist) return { params: this.#playlist.params, what: 'its playlist' }
    const seen = new Set<Mount>([this])
    for (let mount = this.#fallback; mount && !seen.has(mount); mount = mount.#fallback) {
      seen.add(mount)
      if (mount.#params) return { params: mount.#params, what: `its fallback mount ${mount.path}` }
    }
    if (this.config.format) return { format: this.config.format, what: 'its configured format' }
    return { what: '' }
  }

  #mismatchReason(mismatch: string, constraint: { params?: StreamParams; what: string }): string {
    return `${this.path} plays ${describeParams(constraint.params!)} (${constraint.what}) and this source differs (${mismatch}); players break on such a change mid-stream, so send ${describeParams(constraint.params!)}`
  }

  #inputChanged(active: InputKind | undefined, previous: InputKind | undefined): void {
    if (previous === undefined && active !== undefined) this.#pacer.resync()
    const source = this.#onAirSource()
    if (active === 'live') this.log.info(`live source on air (${source?.origin ?? 'unknown'})`)
    else if (active === 'relay') this.log.info(`relay on air (${source?.origin ?? this.config.relay})`)
    else if (active === 'playlist' && previous !== undefined) this.log.info('back to the playlist')
    else if (active === undefined) this.log.info(`off air${this.#fallback ? `: listeners go to ${this.#fallback.path}` : ': listeners wait for a source'}`)
    for (const observer of this.#inputObservers) observer(this)
  }

  #publish(chunk: Chunk): void {
    this.broadcaster.publish(chunk)
    if (chunk.trackStart) {
      if (this.#onAir) this.#history = [this.#onAir, ...this.#history].slice(0, HISTORY_LENGTH)
      this.#onAir = { track: chunk.track, since: this.#clock.now(), startedAt: new Date(), position: chunk.position }
      this.log.info(`on air: ${chunk.track.title}${chunk.track.path ? ` (${chunk.track.path})` : ''}`)
      this.#notify({ type: 'track', ...this.#onAir })
    }
  }

  #notify(event: MountEvent): void {
    for (const observer of this.#observers) {
      try {
        observer(event)
      } catch (error) {
        this.log.error(`event observer failed: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }
}
