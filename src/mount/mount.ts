import type { ListenerHistoryOptions } from './listener-history.ts'
import { ListenerHistory } from './listener-history.ts'
import { Broadcaster } from '../broadcast/broadcaster.ts'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { MountConfig } from '../config/schema.ts'
import type { SourceFormat, StreamParams, StreamShape } from '../format/params.ts'
import { describeParams, paramsMismatch } from '../format/params.ts'
import { PlaylistSource } from '../input/playlist/playlist-source.ts'
import { keepSettings, programmeOptions, restartSettings } from './reload.ts'
import type { SourceConnection, SourceTarget } from '../input/source.ts'
import { SourceSwitch } from '../input/switch.ts'
import type { InputKind, SourceKind, Track, TrackTags } from '../input/track.ts'
import type { HlsStream } from '../hls/hls-stream.ts'
import { hlsStreamFor } from '../hls/hls-stream.ts'
import type { Logger } from '../log.ts'
import { silentLogger, throttleLine } from '../log.ts'
import type { Chunk } from '../pipeline/chunk.ts'
import { Chunker } from '../pipeline/chunker.ts'
import { OggChain } from '../pipeline/ogg-chain.ts'
import { Pacer } from '../pipeline/pacer.ts'
import { Recording } from '../record/recording.ts'
import { Observers } from '../util/observers.ts'
import type { Result } from '../util/result.ts'
import { done, refused } from '../util/result.ts'
import type { Constraint } from './admission.ts'
import { checkSource, checkStream, strand } from './admission.ts'
import type { ListenerCounts } from './listener-tally.ts'
import { ListenerTally } from './listener-tally.ts'
import { MountRelay } from './mount-relay.ts'
import type { OnAir } from './now-playing.ts'
import { NowPlaying } from './now-playing.ts'
import { SourceRegistry } from './sources.ts'
import type { StreamInfo } from './stream-info.ts'
import { inputLine, streamInfo } from './stream-info.ts'

export interface MountOptions {
  clock?: Clock
  log?: Logger
  /** Where relative playlist entries resolve. */
  baseDir?: string
  random?: () => number
  /** Allocates listener ids; the station shares one counter among its mounts. */
  nextListenerId?: () => number
  /** Resolution and retention of the listener count's history (the dashboard's chart). */
  listenerHistory?: ListenerHistoryOptions
  /**
   * The stream of the first mount along this mount's fallback chain that has one (its listeners may
   * hear it while this mount is off air): new sources must match it. The station provides it.
   */
  fallbackStream?: () => { path: string; params: StreamParams } | undefined
}

/** What a mount tells its observers: a new track on air, a change in who is listening, or the end. */
export type MountEvent =
  | ({ type: 'track' } & OnAir)
  | { type: 'listeners'; listeners: ListenerCounts }
  | { type: 'end' }

/** Assumed bitrate (kbit/s) for sizing listener queues before a live-only mount knows its stream. */
const UNKNOWN_BITRATE = 320

/**
 * A mount: one stream at one path. Its inputs (a live source client, a relay, its playlist) meet in
 * a switch that feeds one chunker; the pacer releases the chunks on time, and its broadcaster hands
 * them to every listener. It is the `SourceTarget` its sources talk to. A mount without a playlist
 * is off air while no source feeds it (the station then serves its listeners from its fallback).
 *
 * @example
 * const mount = await Mount.open(config, { log })
 * mount.start()
 * mount.observe((event) => event.type === 'track' && console.log(event.track.title))
 */
export class Mount implements SourceTarget {
  readonly path: string
  readonly broadcaster: Broadcaster
  readonly log: Logger
  /** Wall-clock time the mount started streaming. */
  readonly startedAt: Date = new Date()
  /** How many listeners heard the mount over time, since start (the dashboard's chart). */
  readonly listenerHistory: ListenerHistory
  /** Its HLS face (`/hls/<path>/live.m3u8`), unless its config turns HLS off. */
  readonly hls: HlsStream | undefined
  /** The sources connected now. */
  readonly sources: SourceRegistry = new SourceRegistry()
  /** Its recording to files (see docs/recording.md), as its config's `record` asks. */
  readonly recording: Recording
  readonly #nowPlaying = new NowPlaying()
  readonly #events: Observers<MountEvent>
  readonly #inputEvents = new Observers<Mount>()
  readonly #playlist: PlaylistSource | undefined
  readonly #input: SourceSwitch
  readonly #chunker: Chunker
  readonly #pacer: Pacer
  readonly #clock: Clock
  readonly #onAirLine: (line: string) => void
  readonly #tally: ListenerTally
  #config: MountConfig
  readonly #relay: MountRelay
  readonly #fallbackStream: MountOptions['fallbackStream']
  #params: StreamShape | undefined
  #running: Promise<void> | undefined

  private constructor(config: MountConfig, playlist: PlaylistSource | undefined, options: MountOptions) {
    this.path = config.path
    this.#config = config
    this.log = options.log ?? silentLogger
    this.#clock = options.clock ?? systemClock
    this.#onAirLine = throttleLine((line) => this.log.info(line), { clock: this.#clock, what: 'title change' })
    this.#playlist = playlist
    if (playlist) playlist.onAir = () => this.onAir?.track
    this.#params = playlist?.params
    this.#fallbackStream = options.fallbackStream
    this.#events = new Observers((error) =>
      this.log.error(`event observer failed: ${error instanceof Error ? error.message : String(error)}`)
    )
    const bytesPerSecond = ((this.#params?.bitrate ?? UNKNOWN_BITRATE) * 1000) / 8
    this.broadcaster = new Broadcaster({
      name: config.path,
      burstSeconds: config.burst,
      slowLimit: config.slowListenerLimit,
      highWaterMark: Math.ceil(bytesPerSecond * (config.burst + 2)) + 16 * 1024,
      clock: this.#clock,
      nextId: options.nextListenerId,
    })
    this.#input = new SourceSwitch(playlist)
    this.listenerHistory = new ListenerHistory(options.listenerHistory)
    this.#tally = new ListenerTally(this.#clock, (listeners) => this.#events.notify({ type: 'listeners', listeners }))
    this.hls = hlsStreamFor(config, () => this.params, this.#clock, this.log)
    this.hls?.follow(this.broadcaster, () => this.params)
    const format = () => this.#params?.format
    this.recording = new Recording(config, this.broadcaster, { ...options, log: this.log, format })
    this.broadcaster.observe((event) => {
      this.listenerHistory.record(this.broadcaster.size)
      this.#tally.record(event, this.broadcaster.size, this.broadcaster.stats.peak)
    })
    this.#input.onChange = (active, previous) => this.#inputChanged(active, previous)
    this.#chunker = new Chunker(new OggChain(this.#input), config.chunkDuration)
    this.#pacer = new Pacer(() => this.#chunker.next(), (chunk) => this.#publish(chunk), {
      clock: this.#clock,
      log: this.log,
    })
    this.#relay = new MountRelay(config, { target: this, clock: this.#clock, log: this.log, random: options.random })
  }

  /** Opens a mount's playlist, if any, and prepares its pipeline (a PlaylistError if nothing plays). */
  static async open(config: MountConfig, options: MountOptions = {}): Promise<Mount> {
    let playlist: PlaylistSource | undefined
    if (config.playlist) {
      playlist = new PlaylistSource({
        ...programmeOptions(config),
        baseDir: options.baseDir,
        format: config.format,
        log: options.log,
        clock: options.clock,
        random: options.random,
      })
      await playlist.open()
    }
    return new Mount(config, playlist, options)
  }

  /** Its settings as running now (a reload may change them). */
  get config(): MountConfig {
    return this.#config
  }

  /** Milliseconds without data after which a live or relayed source is dropped. */
  get sourceTimeoutMs(): number {
    return this.#config.sourceTimeout * 1000
  }

  /** Its AutoDJ: the programme, the requests. */
  get playlist(): PlaylistSource | undefined {
    return this.#playlist
  }

  /**
   * Prepares reloaded settings: changed playlists are opened (a PlaylistError, changing nothing, when
   * one has nothing playable). `apply` applies them: the stream's details, passwords, timeouts,
   * fallback and relay at once; the programme from the next track. `kept`: see `restartSettings`.
   */
  async prepare(next: MountConfig): Promise<{ kept: string[]; apply: () => Promise<boolean> }> {
    const kept = restartSettings(this.#config, next)
    const programme = this.#playlist && next.playlist ? await this.#playlist.prepare(programmeOptions(next)) : undefined
    const apply = async () => {
      const before = this.#config
      this.#config = keepSettings(before, next, kept)
      programme?.()
      await this.#relay.configure(this.#config)
      await this.recording.configure(this.#config)
      return JSON.stringify(before) !== JSON.stringify(this.#config)
    }
    return { kept, apply }
  }

  /** The password live source clients log in with here (the mount's, else the station's). */
  get sourcePassword(): string | undefined {
    return this.config.sourcePassword
  }

  /**
   * The stream's parameters: its playlist's, or those of the last source that fed it; the bitrate is
   * that of what is on air. Undefined for a mount without a playlist before its first source.
   */
  get params(): StreamShape | undefined {
    const source = this.#onAirSource()
    if (!this.#params) return undefined
    const bitrate = source ? (source.info.bitrate ?? source.params?.bitrate) : undefined
    return bitrate ? { ...this.#params, bitrate } : this.#params
  }

  /** The track on air now. */
  get onAir(): OnAir | undefined {
    return this.#nowPlaying.onAir
  }

  /** Tracks that went on air before the current one, most recent first. */
  get history(): readonly OnAir[] {
    return this.#nowPlaying.history
  }

  /** What the mount plays from now: 'live', 'relay', 'playlist', or undefined (off air). */
  get input(): InputKind | undefined {
    return this.#input.active ?? (this.#playlist ? 'playlist' : undefined)
  }

  /** Whether the mount has audio of its own to play (a mount with a playlist always has). */
  get isOnAir(): boolean {
    return this.input !== undefined
  }

  /** What listeners are told about the stream: the mount's config, completed by its live source's or upstream's own. */
  get streamInfo(): StreamInfo {
    return streamInfo(this.config, this.#onAirSource()?.info)
  }

  /** The track the playlist is expected to play next, with its tags (while the playlist is on air). */
  async upcoming(): Promise<Track | undefined> {
    return this.#input.active === 'playlist' ? await this.#playlist?.upcoming(this.onAir?.track.id) : undefined
  }

  /** Listener counts now (constant time: kept up to date as listeners join and leave). */
  listenerCounts(): ListenerCounts {
    return this.#tally.counts
  }

  /**
   * Subscribes to track changes, listener counts (settled: at most one change every half second)
   * and the end; returns the unsubscribe function.
   */
  observe(observer: (event: MountEvent) => void): () => void {
    return this.#events.add(observer)
  }

  /** Calls `observer` when the mount goes on or off air or changes input; returns the unsubscribe function. */
  observeInput(observer: (mount: Mount) => void): () => void {
    return this.#inputEvents.add(observer)
  }

  /** Stream position (seconds) of the live edge. */
  get position(): number {
    const last = this.broadcaster.lastChunk
    return last ? last.position + last.duration : 0
  }

  /** Air time the pacer skipped because it fell too far behind (the event loop stalled), in seconds. */
  get skippedSeconds(): number {
    return this.#pacer.skippedMs / 1000
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
    this.#relay.start()
  }

  /** Stops the stream, disconnects its sources (saying `why`) and ends every listener's response cleanly. */
  async stop(why = 'the station is shutting down'): Promise<void> {
    this.#pacer.stop()
    this.#playlist?.close()
    this.#input.close()
    await this.#relay.stop()
    this.sources.closeAll(why)
    this.broadcaster.closeAll('shutdown')
    this.#events.notify({ type: 'end' })
    await this.#running
    await this.recording.close()
    await this.#chunker.close().catch(() => {})
  }

  /** Whether another listener may join (maxListeners). */
  get isFull(): boolean {
    return this.config.maxListeners !== undefined && this.broadcaster.size >= this.config.maxListeners
  }

  /** The connected live source client (`live`) or relay connection (`relay`), if any. */
  source(kind: SourceKind): SourceConnection | undefined {
    return this.sources.get(kind)
  }

  checkSource(kind: SourceKind, format: SourceFormat, declared: Partial<StreamParams> = {}): Result {
    return checkSource(this.path, this.sources.get(kind), kind, format, declared, this.#constraint())
  }

  connectSource(connection: SourceConnection): void {
    this.sources.add(connection)
    if (connection.kind === 'live') this.recording.liveShow(connection.feed.track.id)
    this.#input.attach(connection.feed)
  }

  /**
   * Checks the stream a connected source sends (its first frame): refused if it differs from what
   * the mount's playlist or fallback plays; adopted otherwise. A mount without either takes a new
   * stream from a new source, ending the responses of listeners still waiting on the old one (their
   * players reconnect and get the new stream).
   */
  admitStream(shape: StreamShape): Result {
    const checked = checkStream(this.path, shape, this.#constraint())
    if (!checked.ok || this.#playlist) return checked
    if (this.#params && paramsMismatch(this.#params, shape)) strand(this.broadcaster, this.#params, shape, this.log)
    const { format, sampleRate, channels, bitrate } = shape
    this.#params = { format, sampleRate, channels, bitrate }
    return done()
  }

  /** Disconnects the live source (or, without one, the relay's current connection); refused if there is neither. */
  killSource(): Result {
    const source = this.sources.foremost
    if (!source) return refused(`Source does not exist: ${this.path} has no live source or relay connected`)
    source.close('killed by an admin')
    return done()
  }

  /**
   * Sets the title of the live source (or relayed stream) from its next frame on: a new track, so
   * the change lands on a chunk boundary. Refused when neither is connected.
   */
  updateTitle(title: string, tags: Pick<TrackTags, 'artist' | 'song'> = {}): Result {
    const source = this.sources.foremost
    if (!source || source.feed.ended) {
      return refused(
        `Source does not exist: ${this.path} has no live source (titles of playlist tracks come from their files)`,
      )
    }
    source.setTitle(title, tags)
    this.log.info(`title of the ${source.kind === 'live' ? 'live source' : 'relay'} set to: ${title}`)
    return done()
  }

  /** Ends the playlist's current track (now, or when the playlist comes back after a live set); refused without a playlist. */
  skipTrack(): Result {
    if (!this.#playlist) return refused(`${this.path} has no playlist`)
    this.#playlist.skip()
    return done()
  }

  #onAirSource(): SourceConnection | undefined {
    const feed = this.#input.currentFeed
    return feed ? this.sources.of(feed) : undefined
  }

  /** What a new source must match: the playlist, the first mount along the fallback chain with a stream, or the configured format. */
  #constraint(): Constraint {
    if (this.#playlist) return { params: this.#playlist.params, what: 'its playlist' }
    const fallback = this.#fallbackStream?.()
    if (fallback) return { params: fallback.params, what: `its fallback mount ${fallback.path}` }
    if (this.config.format) return { format: this.config.format, what: 'its configured format' }
    return { what: '' }
  }

  #inputChanged(active: InputKind | undefined, previous: InputKind | undefined): void {
    if (previous === undefined && active !== undefined) this.#pacer.resync()
    if (active === undefined) this.recording.offAir()
    const line = inputLine(active, previous, this.#onAirSource()?.origin, this.config)
    if (line) this.log.info(line)
    this.#inputEvents.notify(this)
  }

  #publish(chunk: Chunk): void {
    this.broadcaster.publish(chunk, this.#pacer.dueAt(chunk.position))
    const onAir = this.#nowPlaying.record(chunk, this.#clock.now())
    if (!onAir) return
    const { title, path, role } = onAir.track
    this.#onAirLine(`on air${role ? ` (${role})` : ''}: ${title}${path ? ` (${path})` : ''}`)
    this.#events.notify({ type: 'track', ...onAir })
  }
}
