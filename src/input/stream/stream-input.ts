import type { Frame } from '../../format/frame.ts'
import { frameDuration } from '../../format/frame.ts'
import { FrameParser } from '../../format/frame-parser.ts'
import type { AudioFormat, StreamShape } from '../../format/params.ts'
import { describeParams } from '../../format/params.ts'
import type { Result } from '../../util/result.ts'
import { done, refused } from '../../util/result.ts'
import type { FrameFeed } from './feed.ts'

export interface StreamInputOptions {
  format: AudioFormat
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
 * mount cannot take, or that changes sample rate or channels mid-stream.
 *
 * @example
 * const input = new StreamInput({ format: 'mp3', feed, admit: (shape) => target.admitStream(shape) })
 * socket.on('data', (bytes) => { const written = input.write(bytes); if (!written.ok) drop(written.reason); if (input.backlogged) socket.pause() })
 * feed.onResume = () => { input.pump(); if (!input.backlogged) socket.resume() }
 */
export class StreamInput {
  readonly format: AudioFormat
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
  #raw: (Uint8Array | { title: string })[] = []
  #pending: Iterator<Frame> | undefined

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
  setTitle(title: string): void {
    this.#raw.push({ title })
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
        if (next.title !== this.#feed.track.title) this.#feed.setTitle(next.title)
        continue
      }
      this.#sinceFrame += next.length
      this.#pending = this.#parser.push(next)
    }
    if (this.#sinceFrame > this.#garbageLimit) {
      const kib = Math.round(this.#sinceFrame / 1024)
      const name = this.format.toUpperCase()
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
    if (!this.params) {
      const shape = {
        format: this.format,
        sampleRate: frame.sampleRate,
        channels: frame.channels,
        bitrate: frame.bitrate,
      }
      const admitted = this.#admit(shape)
      if (!admitted.ok) return admitted
      this.params = shape
    }
    if (frame.sampleRate !== this.params.sampleRate || frame.channels !== this.params.channels) {
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
    this.#feed.push(frame)
    return done()
  }
}
