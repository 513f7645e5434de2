import type { StreamParams } from './audio/format.ts'
import { describeParams } from './audio/format.ts'
import type { ListenerFactory } from './broadcast/broadcaster.ts'
import { Broadcaster } from './broadcast/broadcaster.ts'
import type { Listener, ListenerInfo } from './broadcast/listener.ts'
import type { MountConfig } from './config/schema.ts'
import type { Logger } from './log.ts'
import { silentLogger } from './log.ts'
import type { Chunk } from './pacing/chunk.ts'
import { Chunker } from './pacing/chunker.ts'
import type { Clock } from './pacing/clock.ts'
import { systemClock } from './pacing/clock.ts'
import { Pacer } from './pacing/pacer.ts'
import { PlaylistSource } from './source/playlist-source.ts'
import type { Track } from './source/track.ts'
import { displayTitle, titleFromPath } from './source/track.ts'
import { readTrackTags } from './source/track-tags.ts'

export interface MountOptions {
  clock?: Clock
  log?: Logger
  /** Where relative playlist entries resolve. */
  baseDir?: string
  random?: () => number
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
 * A mount: one stream at one path. Its playlist source feeds a chunker, the pacer releases the
 * chunks on time, and its broadcaster hands them to every listener.
 *
 * @example
 * const mount = await Mount.open(config, { log })
 * mount.start()
 * const listener = mount.addListener(info)
 */
export class Mount {
  readonly path: string
  readonly config: MountConfig
  readonly params: MountParams
  readonly broadcaster: Broadcaster
  readonly log: Logger
  /** Wall-clock time the mount started streaming. */
  readonly startedAt: Date = new Date()
  #onAir: OnAir | undefined
  #history: OnAir[] = []
  #next: { path: string; track: Promise<Track> } | undefined
  readonly #observers = new Set<(event: MountEvent) => void>()
  readonly #source: PlaylistSource
  readonly #chunker: Chunker
  readonly #pacer: Pacer
  readonly #clock: Clock
  #running: Promise<void> | undefined

  private constructor(config: MountConfig, source: PlaylistSource, options: MountOptions) {
    this.path = config.path
    this.config = config
    this.params = source.params
    this.log = options.log ?? silentLogger
    this.#clock = options.clock ?? systemClock
    this.#source = source
    const bytesPerSecond = (this.params.bitrate * 1000) / 8
    this.broadcaster = new Broadcaster({
      burstSeconds: config.burst,
      slowLimit: config.slowListenerLimit,
      highWaterMark: Math.ceil(bytesPerSecond * (config.burst + 2)) + 16 * 1024,
      clock: this.#clock,
    })
    this.broadcaster.observe(() => this.#notify({ type: 'listeners', listeners: this.listenerCounts() }))
    this.#chunker = new Chunker(source.frames(), config.chunkDuration)
    this.#pacer = new Pacer(() => this.#chunker.next(), (chunk) => this.#publish(chunk), { clock: this.#clock, log: this.log })
  }

  /**
   * Opens a mount's playlist (probing until a file plays) and prepares its pipeline.
   * Throws a PlaylistError when nothing in the playlist is playable.
   */
  static async open(config: MountConfig, options: MountOptions = {}): Promise<Mount> {
    const log = options.log ?? silentLogger
    const source = new PlaylistSource({
      entries: config.playlist,
      baseDir: options.baseDir,
      shuffle: config.shuffle,
      format: config.format,
      log,
      clock: options.clock,
      random: options.random,
    })
    await source.open()
    return new Mount(config, source, options)
  }

  /** The track on air now. */
  get onAir(): OnAir | undefined {
    return this.#onAir
  }

  /** Tracks that went on air before the current one, most recent first. */
  get history(): readonly OnAir[] {
    return this.#history
  }

  /** The track expected next, with its tags, if the source can tell. */
  async next(): Promise<Track | undefined> {
    const path = this.#source.upcoming
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
    return this.#source.size
  }

  describe(): string {
    return `${describeParams(this.params)}, ${this.params.bitrate} kbit/s`
  }

  /** Starts pacing the playlist out to listeners. */
  start(): void {
    this.#running ??= this.#pacer.run().catch((error) => {
      this.log.error(`stream stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    })
  }

  /** Stops the stream and ends every listener's response cleanly. */
  async stop(): Promise<void> {
    this.#pacer.stop()
    this.#source.close()
    this.broadcaster.closeAll('shutdown')
    this.#notify({ type: 'end' })
    await this.#running
    await this.#chunker.close().catch(() => {})
  }

  /** Whether another listener may join (maxListeners). */
  get isFull(): boolean {
    return this.config.maxListeners !== undefined && this.broadcaster.size >= this.config.maxListeners
  }

  /** Adds a listener, burst first. */
  addListener(info: ListenerInfo, factory?: ListenerFactory): Listener {
    return this.broadcaster.add(info, factory)
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
