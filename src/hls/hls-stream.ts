import type { Broadcaster } from '../broadcast/broadcaster.ts'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { MountConfig } from '../config/schema.ts'
import type { AudioFormat, StreamParams } from '../format/params.ts'
import type { Logger } from '../log.ts'
import { mediaPlaylist, targetDuration } from './playlist.ts'
import { SEGMENT_FORMATS } from './segment.ts'
import type { SegmentLookup } from './segment-window.ts'
import { HlsSegmenter } from './segmenter.ts'
import { HlsSessions } from './sessions.ts'

export interface HlsStreamOptions {
  segmentSeconds: number
  /** Segments the playlist lists. */
  segments: number
  /** Seconds per broadcast chunk (a segment is made of whole chunks). */
  chunkSeconds: number
  params: () => StreamParams | undefined
  clock?: Clock
  epochMs?: number
  log?: Logger
}

/** The live playlist as served: its text and the tag a cache revalidates it by. */
export interface LivePlaylist {
  readonly body: string
  readonly etag: string
}

/** Requests an HLS face has served, for metrics. */
export interface HlsStats {
  playlists: number
  segments: number
  segmentBytes: number
}

/**
 * A mount's HLS face: its segments (cut from the broadcast), its live playlist and its sessions.
 *
 * @example
 * const hls = new HlsStream({ segmentSeconds: 6, segments: 6, chunkSeconds: 0.25, params: () => mount.params })
 * hls.follow(mount.broadcaster, () => mount.params)
 * hls.playlist()?.body // '#EXTM3U…'
 */
export class HlsStream {
  readonly segmenter: HlsSegmenter
  readonly sessions: HlsSessions
  /** `EXT-X-TARGETDURATION`, whole seconds. */
  readonly targetDuration: number
  readonly stats: HlsStats = { playlists: 0, segments: 0, segmentBytes: 0 }
  #cached: LivePlaylist | undefined
  #following: Broadcaster | undefined
  #untap: (() => void) | undefined

  constructor(options: HlsStreamOptions) {
    const clock = options.clock ?? systemClock
    this.segmenter = new HlsSegmenter({
      segmentSeconds: options.segmentSeconds,
      // At least three target durations (RFC 8216 6.2.2), however short the segments.
      listSeconds: Math.max(
        options.segments * options.segmentSeconds,
        3 * targetDuration(options.segmentSeconds, options.chunkSeconds),
      ),
      params: options.params,
      clock,
      epochMs: options.epochMs,
      log: options.log,
    })
    this.targetDuration = targetDuration(options.segmentSeconds, options.chunkSeconds)
    this.sessions = new HlsSessions(2 * options.segmentSeconds * 1000, clock)
  }

  /**
   * Cuts its segments from `broadcaster` from now on: the mount's own, or while it is off air the
   * fallback its listeners hear (so HLS players hear it too, as Icecast's listeners do).
   */
  follow(broadcaster: Broadcaster, params: () => StreamParams | undefined): void {
    if (broadcaster === this.#following) return
    this.#untap?.()
    this.#following = broadcaster
    this.segmenter.params = params
    this.#untap = broadcaster.tap(this.segmenter.take)
  }

  /** Stops following any broadcast. */
  unfollow(): void {
    this.#untap?.()
    this.#untap = undefined
    this.#following = undefined
  }

  /** The live playlist, or undefined until the first segment is complete. */
  playlist(): LivePlaylist | undefined {
    this.segmenter.flushStale()
    const window = this.segmenter.window
    const last = window.last
    if (!last) return undefined
    const etag = `"${this.segmenter.prefix}-${window.listed[0]!.sequence}-${last.sequence}"`
    if (this.#cached?.etag !== etag) this.#cached = { body: mediaPlaylist(window, this.targetDuration), etag }
    return this.#cached
  }

  /** The segment a name in the playlist refers to: found, gone (410) or unknown (404). */
  segment(name: string): SegmentLookup {
    const match = /^([0-9a-z]+)-(\d{1,15})\.(ts|aac|m4s)$/.exec(name)
    if (!match || match[1] !== this.segmenter.prefix) return { found: false, status: 404 }
    const lookup = this.segmenter.window.find(Number(match[2]))
    if (lookup.found ? lookup.segment.name !== name : !this.segmenter.made(match[3]!)) {
      return { found: false, status: 404 }
    }
    return lookup
  }

  /** An init segment (`<prefix>-init-<n>.mp4`): while a segment held needs it, then gone (410). */
  init(name: string): { found: true; data: Uint8Array<ArrayBuffer> } | { found: false; status: 404 | 410 } {
    const data = this.segmenter.window.initNamed(name)
    if (data) return { found: true, data }
    const match = /^([0-9a-z]+)-init-(\d{1,9})\.mp4$/.exec(name)
    const made = match?.[1] === this.segmenter.prefix && Number(match[2]) <= this.segmenter.inits
    return { found: false, status: made ? 410 : 404 }
  }
}

/**
 * The HLS face a mount serves: its own (`hls`), unless its stream is of a format HLS does not
 * carry here (Ogg); a live-only mount before its first source serves one, waiting.
 *
 * @example
 * servedHls(mount.hls, mount.params?.format)?.sessions.count
 */
export const servedHls = (hls: HlsStream | undefined, format: AudioFormat | undefined): HlsStream | undefined =>
  format && !(format in SEGMENT_FORMATS) ? undefined : hls

/**
 * A mount's HLS face as its config asks: none when `hls` is `false`.
 *
 * @example
 * const hls = hlsStreamFor(mount.config, () => mount.params, clock)
 */
export const hlsStreamFor = (
  config: Pick<MountConfig, 'hls' | 'chunkDuration'>,
  params: () => StreamParams | undefined,
  clock?: Clock,
  log?: Logger,
): HlsStream | undefined =>
  config.hls === false
    ? undefined
    : new HlsStream({ ...config.hls, chunkSeconds: config.chunkDuration, params, clock, log })
