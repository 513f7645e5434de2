import type { AudioFormat, StreamParams } from '../audio/format.ts'
import { describeParams } from '../audio/format.ts'
import type { Frame } from '../audio/frame.ts'
import { frameDuration } from '../audio/frame.ts'
import { FrameParser } from '../audio/frame-parser.ts'
import type { FrameFeed } from './feed.ts'

export interface StreamInputOptions {
  format: AudioFormat
  feed: FrameFeed
  /**
   * Decides on the stream's parameters when its first frame arrives (the mount checks them against
   * its playlist or fallback and adopts them); returns why they are refused, if they are.
   */
  admit: (params: StreamParams & { bitrate: number }) => string | undefined
  /** Bytes tolerated without a single frame before the input is declared not audio (default 64 KiB). */
  garbageLimit?: number
  /** Seconds of frames with other parameters tolerated in a row before the input is dropped (default 2). */
  mismatchLimit?: number
}

/**
 * Turns the raw bytes of a live source or relay into whole frames for a feed, through the same frame
 * parser as files, so listeners only ever get whole frames. It refuses, with a reason an operator can
 * act on, an input that is not audio of its format, whose parameters the mount cannot take, or that
 * changes sample rate or channels mid-stream.
 *
 * @example
 * const input = new StreamInput({ format: 'mp3', feed, admit: (params) => mount.admit(params) })
 * socket.on('data', (bytes) => { const refusal = input.write(bytes); if (refusal) drop(refusal) })
 */
export class StreamInput {
  readonly format: AudioFormat
  /** The stream's parameters, known from its first frame. */
  params: (StreamParams & { bitrate: number }) | undefined
  /** Bytes received. */
  bytes = 0
  readonly #feed: FrameFeed
  readonly #parser: FrameParser
  readonly #admit: StreamInputOptions['admit']
  readonly #garbageLimit: number
  readonly #mismatchLimit: number
  #sinceFrame = 0
  #mismatched = 0

  constructor(options: StreamInputOptions) {
    this.format = options.format
    this.#feed = options.feed
    this.#parser = new FrameParser(options.format)
    this.#admit = options.admit
    this.#garbageLimit = options.garbageLimit ?? 64 * 1024
    this.#mismatchLimit = options.mismatchLimit ?? 2
  }

  /** Feeds bytes in; returns why the input must be dropped, if it must. */
  write(bytes: Uint8Array): string | undefined {
    this.bytes += bytes.length
    this.#sinceFrame += bytes.length
    for (const frame of this.#parser.push(bytes)) {
      const refusal = this.#take(frame)
      if (refusal) return refusal
    }
    if (this.#sinceFrame > this.#garbageLimit) {
      const kib = Math.round(this.#sinceFrame / 1024)
      const name = this.format.toUpperCase()
      return this.params
        ? `sent ${kib} KiB without a ${name} frame: the stream is no longer ${name} audio, or is corrupt`
        : `sent ${kib} KiB without a single ${name} frame: not ${name} audio, or corrupt`
    }
    return undefined
  }

  /** The input ended: the frames still held by the parser are passed on. */
  end(): void {
    for (const frame of this.#parser.flush()) if (this.#take(frame)) break
  }

  #take(frame: Frame): string | undefined {
    this.#sinceFrame = 0
    if (!this.params) {
      const params = { format: this.format, sampleRate: frame.sampleRate, channels: frame.channels, bitrate: frame.bitrate }
      const refusal = this.#admit(params)
      if (refusal) return refusal
      this.params = params
    }
    if (frame.sampleRate !== this.params.sampleRate || frame.channels !== this.params.channels) {
      this.#mismatched += frameDuration(frame)
      if (this.#mismatched > this.#mismatchLimit) {
        return `changed from ${describeParams(this.params)} to ${describeParams(frame)} mid-stream; players cannot follow such a change (reconnect with the new settings)`
      }
      return undefined
    }
    this.#mismatched = 0
    this.#feed.push(frame)
    return undefined
  }
}
