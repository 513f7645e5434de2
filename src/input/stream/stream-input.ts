import type { Frame } from '../../format/frame.ts'
import { frameDuration } from '../../format/frame.ts'
import { FrameParser } from '../../format/frame-parser.ts'
import { commentValue } from '../../format/ogg/comments.ts'
import type { OggStream } from '../../format/ogg/ogg-pages.ts'
import type { SourceFormat, StreamShape } from '../../format/params.ts'
import { describeParams, formatLabel } from '../../format/params.ts'
import type { TrackTags } from '../track.ts'
import { displayTitle } from '../track.ts'
import type { Result } from '../../util/result.ts'
import { done, refused } from '../../util/result.ts'
import type { FrameFeed } from './feed.ts'

export interface StreamInputOptions {
  /** What the source said it sends; `ogg`: any Ogg codec, the first page tells which. */
  format: SourceFormat
  feed: FrameFeed
  /**
   * Decides on the stream's parameters when its first frame arrives (the mount checks them against
   * its playlist or fallback and adopts them, or refuses them).
   */
  admit: (shape: StreamShape) => Result
  /** Bytes tolerated without a single frame before the input is declared not audio (default 64 KiB). */
  garbageLimit?: number
  /** Seconds of frames with other parameters tolerated in a row before the input is dropped (default 2). */
  mismatchLimit?: number
}

/**
 * Turns the raw bytes of a live source or relay into whole frames for a feed, through the same frame
 * parser as files, so listeners only ever get whole frames. It parses only while the feed wants more:
 * what a read brought beyond that waits unparsed (`backlogged`: the producer should stop reading)
 * until `pump()` is called as the feed drains, so the feed never holds much more than its limit
 * however large the reads. Title changes are queued in order with the bytes. It refuses, with a
 * reason an operator can act on, an input that is not audio of its format, whose parameters the
 * mount cannot take, or that changes sample rate or channels mid-stream. An Ogg stream's header pages
 * are held until its first audio page, which tells its bitrate; each logical stream (a DJ's
 * software starts one per song) becomes a track titled from its comment header.
 *
 * @example
 * const input = new StreamInput({ format: 'mp3', feed, admit: (shape) => target.admitStream(shape) })
 * socket.on('data', (bytes) => { const written = input.write(bytes); if (!written.ok) drop(written.reason); if (input.backlogged) socket.pause() })
 * feed.onResume = () => { input.pump(); if (!input.backlogged) socket.resume() }
 */
export class StreamInput {
  readonly format: SourceFormat
  /** The stream's parameters, known from its first frame. */
  params: StreamShape | undefined
  /** Bytes received. */
  bytes = 0
  /** Whole frames parsed so far. */
  frames = 0
  readonly #feed: FrameFeed
  readonly #parser: FrameParser
  readonly #admit: StreamInputOptions['admit']
  readonly #garbageLimit: number
  readonly #mismatchLimit: number
  #sinceFrame = 0
  #mismatched = 0
  #raw: (Uint8Array | { title: string; tags?: Pick<TrackTags, 'artist' | 'song'> })[] = []
  #pending: Iterator<Frame> | undefined
  /** Header pages of an Ogg stream whose audio has not begun, and their bytes. */
  #held: Frame[] = []
  #heldBytes = 0

  constructor(options: StreamInputOptions) {
    this.format = options.format
    this.#feed = options.feed
    this.#parser = new FrameParser(options.format)
    this.#admit = options.admit
    this.#garbageLimit = options.garbageLimit ?? 64 * 1024
    this.#mismatchLimit = options.mismatchLimit ?? 2
  }

  /** Whether bytes wait unparsed because the feed is full: the producer should stop reading. */
  get backlogged(): boolean {
    return this.#pending !== undefined || this.#raw.length > 0
  }

  /** Feeds bytes in; refused when the input must be dropped, with the reason. */
  write(bytes: Uint8Array): Result {
    this.bytes += bytes.length
    this.#raw.push(bytes)
    return this.pump()
  }

  /** Sets the title from the frames that follow the bytes written so far. */
  setTitle(title: string, tags?: Pick<TrackTags, 'artist' | 'song'>): void {
    this.#raw.push({ title, tags })
    this.pump()
  }

  /** Parses waiting bytes into the feed while it wants more; refused when the input must be dropped, with the reason. */
  pump(all = false): Result {
    while (all || this.#feed.wantsMore) {
      if (this.#pending) {
        const step = this.#pending.next()
        if (step.done) this.#pending = undefined
        else {
          const taken = this.#take(step.value)
          if (!taken.ok) return taken
        }
        continue
      }
      const next = this.#raw.shift()
      if (next === undefined) break
      if (!(next instanceof Uint8Array)) {
        if (next.title !== this.#feed.track.title) this.#feed.setTitle(next.title, next.tags)
        continue
      }
      this.#sinceFrame += next.length
      this.#pending = this.#parser.push(next)
    }
    if (this.#sinceFrame > this.#garbageLimit) {
      const kib = Math.round(this.#sinceFrame / 1024)
      const name = formatLabel(this.format)
      return refused(
        this.params
          ? `sent ${kib} KiB without a ${name} frame: the stream is no longer ${name} audio, or is corrupt`
          : `sent ${kib} KiB without a single ${name} frame: not ${name} audio, or corrupt`,
      )
    }
    return done()
  }

  /** The input ended: everything still waiting, and the frames the parser holds, are passed on. */
  end(): void {
    if (!this.pump(true).ok) return
    for (const frame of this.#parser.flush()) if (!this.#take(frame).ok) break
  }

  #take(frame: Frame): Result {
    this.#sinceFrame = 0
    this.frames++
    if (frame.page?.header) return this.#hold(frame)
    if (!this.params) {
      const shape = {
        format: frame.format,
        sampleRate: frame.sampleRate,
        channels: frame.channels,
        bitrate: frame.bitrate,
      }
      const admitted = this.#admit(shape)
      if (!admitted.ok) return admitted
      this.params = shape
    }
    if (
      frame.format !== this.params.format || frame.sampleRate !== this.params.sampleRate ||
      frame.channels !== this.params.channels
    ) {
      this.#mismatched += frameDuration(frame)
      if (this.#mismatched > this.#mismatchLimit) {
        return refused(
          `changed from ${describeParams(this.params)} to ${
            describeParams(frame)
          } mid-stream; players cannot follow such a change (reconnect with the new settings)`,
        )
      }
      return done()
    }
    this.#mismatched = 0
    if (this.#held.length > 0) this.#release(frame.page!.stream)
    this.#feed.push(frame)
    return done()
  }

  /** Holds an Ogg header page until the first audio page of its stream (a stream of headers alone is refused when too long). */
  #hold(frame: Frame): Result {
    if (this.#held.length > 0 && this.#held[0]!.page!.stream !== frame.page!.stream) {
      this.#held = []
      this.#heldBytes = 0
    }
    this.#held.push(frame)
    this.#heldBytes += frame.data.length
    if (this.#heldBytes <= HELD_LIMIT) return done()
    return refused(`sent ${Math.round(this.#heldBytes / 1024)} KiB of Ogg header pages without audio`)
  }

  /** A logical stream's audio begins: its title from its comments, then its header pages, go out first. */
  #release(stream: OggStream): void {
    const held = this.#held.filter((frame) => frame.page!.stream === stream)
    this.#held = []
    this.#heldBytes = 0
    const tags = { artist: commentValue(stream.comments, 'ARTIST'), song: commentValue(stream.comments, 'TITLE') }
    if (tags.song) this.#feed.setTitle(displayTitle(tags, tags.song), tags)
    for (const header of held) this.#feed.push(header)
  }
}

/** Bytes of Ogg header pages held before audio (cover art in a comment header can be large). */
const HELD_LIMIT = 4 * 1024 * 1024
