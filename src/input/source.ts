import type { SourceFormat, StreamParams, StreamShape } from '../format/params.ts'
import type { Logger } from '../log.ts'
import type { Result } from '../util/result.ts'
import type { FrameFeed } from './stream/feed.ts'
import type { SourceKind, TrackTags } from './track.ts'

/** What a source client (or a relay's upstream) says about its stream, from its ice-* / icy-* headers. */
export interface SourceInfo {
  name?: string
  description?: string
  genre?: string
  url?: string
  public?: boolean
  /** Declared bitrate, kbit/s. */
  bitrate?: number
  /** Declared `ice-audio-info` (e.g. `samplerate=44100;channels=2;bitrate=128`), as sent. */
  audioInfo?: string
}

/** A live source client or a relay connection feeding a mount. */
export interface SourceConnection {
  readonly kind: SourceKind
  readonly feed: FrameFeed
  /** What it said it sends (`ogg` until its first page tells the codec: see `params`). */
  readonly format: SourceFormat
  readonly info: SourceInfo
  /** Where it comes from: the client's address, or the relay's URL. */
  readonly origin: string
  readonly userAgent: string
  /** Wall-clock time it connected. */
  readonly connectedAt: Date
  /** Its stream's parameters, known from its first frame. */
  readonly params: StreamShape | undefined
  /** Sets the title from its next frame on (after what it already sent), as a new track. */
  setTitle(title: string, tags?: Pick<TrackTags, 'artist' | 'song'>): void
  /** Disconnects it; what it queued is dropped. */
  close(reason: string): void
}

/**
 * All that a source (the source port's live clients, a relay) may know of and ask of the mount it
 * feeds: the narrow interface between inputs and mounts. A mount implements it; inputs never see
 * the mount itself.
 *
 * @example
 * const check = target.checkSource('live', 'mp3')
 * if (!check.ok) return refuse(403, check.reason)
 * target.connectSource(connection)
 */
export interface SourceTarget {
  readonly path: string
  readonly log: Logger
  /** The password live source clients log in with (user `source`); undefined: live sources are off here. */
  readonly sourcePassword: string | undefined
  /** Milliseconds without data after which a source is dropped. */
  readonly sourceTimeoutMs: number
  /**
   * Whether a new source of `kind` sending `format` may connect now: refused while one of that kind
   * is connected, or when its format (and the sample rate and channels it declares) differ from
   * what the mount's listeners hear.
   */
  checkSource(kind: SourceKind, format: SourceFormat, declared?: Partial<StreamParams>): Result
  /** Whether the stream a connected source sends (as its first frame tells) may go on air; adopted if so. */
  admitStream(shape: StreamShape): Result
  /** Connects a source: its feed goes on air once it holds its preroll. */
  connectSource(connection: SourceConnection): void
}
