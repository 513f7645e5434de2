import { Buffer } from 'node:buffer'
import type { ChainLink } from '../format/ogg/ogg-pages.ts'
import type { Chunk } from '../pipeline/chunk.ts'
import type { ListenerSink, SinkFactory } from './sink.ts'
import { StreamSink } from './sink.ts'

/** Why a listener's stream ended. */
export type CloseReason = 'client' | 'slow' | 'kicked' | 'shutdown' | 'error'

/** Who is listening, as the HTTP layer saw them. */
export interface ListenerInfo {
  readonly address: string
  readonly userAgent: string
  readonly referer: string
  /** The request line's method, path and protocol, for the access log. */
  readonly request: string
  /** The user it logged in as, on a mount that asks listeners to log in. */
  readonly user?: string
}

export interface ListenerOptions {
  readonly id: number
  readonly info: ListenerInfo
  /** Bytes the listener's stream may hold queued (not yet taken by the runtime) before live chunks skip it. */
  readonly highWaterMark: number
  /** Seconds of audio a listener may be skipped in a row before it is dropped as slow. */
  readonly slowLimit: number
  /** Clock time (ms) of connection. */
  readonly connectedAt: number
  /** Where its bytes go, when not to a `ReadableStream` (`stream`): a runtime's direct sink. */
  readonly openSink?: SinkFactory
}

/** Whoever serves a listener now (its broadcaster): told when the listener's stream ends. */
export interface ListenerHost {
  /** What the host serves (a mount's path), when it has a name. */
  readonly name?: string
  release(listener: Listener, reason: CloseReason): void
}

/**
 * One listener, fed by the broadcaster: its bytes go to its own sink (a `ReadableStream`, the
 * response body, unless a runtime writes to the connection directly). A chunk is written only
 * while less than `highWaterMark` bytes wait unsent; otherwise it is skipped, and a listener
 * skipped for more than `slowLimit` seconds of audio in a row is dropped as slow. Nothing is ever
 * written after the response ended or the client left.
 *
 * @example
 * const listener = new Listener({ id, info, highWaterMark: 96_000, slowLimit: 10, connectedAt })
 * return new Response(listener.stream)
 */
export class Listener {
  readonly id: number
  readonly info: ListenerInfo
  readonly connectedAt: number
  readonly closed: Promise<CloseReason>
  /** Bytes handed to the stream. */
  bytesEnqueued = 0
  /** Audio skipped (seconds) because the listener's queue was full, in total. */
  skippedTotal = 0
  /** The broadcaster serving it now (it moves the listener between broadcasters); undefined once it has closed. */
  host: ListenerHost | undefined
  #skippedRun = 0
  /** The Ogg chain link whose header pages it has. */
  #link: ChainLink | undefined
  #sink: ListenerSink | undefined
  #closeReason: CloseReason | undefined
  #sentAtClose: number | undefined
  #resolveClosed!: (reason: CloseReason) => void
  readonly #options: ListenerOptions

  constructor(options: ListenerOptions) {
    this.#options = options
    this.id = options.id
    this.info = options.info
    this.connectedAt = options.connectedAt
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve))
  }

  /**
   * The listener's audio as a stream: the response body (for a listener without a direct sink).
   * Made on first use, so a listener served elsewhere (another process) holds none.
   */
  get stream(): ReadableStream<Uint8Array> {
    const sink = this.#output
    if (!(sink instanceof StreamSink)) throw new Error(`listener #${this.id} writes to its connection directly`)
    return sink.stream
  }

  get #output(): ListenerSink {
    const gone = () => this.#finish('client')
    this.#sink ??= this.#options.openSink?.(gone) ?? new StreamSink(gone)
    return this.#sink
  }

  get isClosed(): boolean {
    return this.#closeReason !== undefined
  }

  get closeReason(): CloseReason | undefined {
    return this.#closeReason
  }

  /** Bytes written and not yet taken by the connection. */
  get queuedBytes(): number {
    return this.#closeReason ? 0 : this.#output.queued
  }

  /** Bytes the runtime has taken from the stream to send. */
  get bytesSent(): number {
    return this.#sentAtClose ?? this.bytesEnqueued - this.queuedBytes
  }

  /** Enqueues without checking room: for the burst, which is sent whole. */
  sendNow(chunk: Chunk): void {
    if (this.#closeReason) return
    this.#deliver(chunk)
  }

  /**
   * Offers a live chunk: enqueued if the listener has room, else skipped (and counted toward the
   * slow limit). Returns whether it was enqueued.
   */
  offer(chunk: Chunk): boolean {
    if (this.#closeReason) return false
    const sink = this.#output
    if (!sink.open) {
      this.#finish('client')
      return false
    }
    if (sink.queued >= this.#options.highWaterMark) {
      this.#skippedRun += chunk.duration
      this.skippedTotal += chunk.duration
      if (this.#skippedRun > this.#options.slowLimit) this.close('slow')
      return false
    }
    this.#skippedRun = 0
    this.#deliver(chunk)
    return true
  }

  /**
   * Writes a chunk, after its Ogg link's header pages when the listener does not have them (it
   * joined, moved, or skipped the chunk that opened the link), so its player can always decode.
   */
  #deliver(chunk: Chunk): void {
    if (chunk.link !== this.#link) {
      if (chunk.link && !chunk.opensLink) this.enqueue(chunk.link.headers)
      this.#link = chunk.link
    }
    this.write(chunk)
  }

  /** Writes a chunk's bytes into the stream. Subclasses that rewrite the byte stream override this. */
  protected write(chunk: Chunk): void {
    this.enqueue(chunk.data)
  }

  protected enqueue(bytes: Uint8Array): void {
    try {
      this.#output.write(bytes)
      this.bytesEnqueued += bytes.length
    } catch {
      this.#finish('error')
    }
  }

  /**
   * Writes pieces (`length` bytes in all) as one: handed over as they are where the sink takes
   * pieces (a socket: one system call, no copy), else joined into one new buffer.
   */
  protected enqueueParts(parts: readonly Uint8Array[], length: number): void {
    const sink = this.#output
    try {
      if (sink.writeParts) sink.writeParts(parts)
      else {
        // Not zero-filled first, and a Buffer, which every runtime's socket takes as it is.
        const joined = Buffer.allocUnsafe(length)
        let at = 0
        for (const part of parts) {
          joined.set(part, at)
          at += part.length
        }
        sink.write(joined)
      }
      this.bytesEnqueued += length
    } catch {
      this.#finish('error')
    }
  }

  /**
   * Ends the listener's stream cleanly: erroring it made Bun print a stack trace for every listener
   * kicked or dropped as slow. A kicked or slow listener's connection is dropped at once by the HTTP
   * layer (its `closeConnection` hook), even when its queue will never drain; for other reasons the
   * stream errors so the runtime drops the connection itself.
   */
  close(reason: CloseReason): void {
    if (this.#closeReason) return
    this.#sentAtClose = this.bytesSent
    this.#finish(reason)
    if (reason === 'shutdown' || reason === 'kicked' || reason === 'slow') this.#sink?.end()
    else this.#sink?.abort(`listener closed: ${reason}`)
  }

  /** Records the end (once): the host is told, `closed` resolves. For subclasses whose stream lives elsewhere. */
  protected end(reason: CloseReason): void {
    this.#finish(reason)
  }

  /** The listener was moved to another broadcaster (see `Broadcaster.transfer`). */
  movedTo(_host: ListenerHost): void {}

  #finish(reason: CloseReason): void {
    if (this.#closeReason) return
    this.#sentAtClose ??= this.bytesEnqueued
    this.#closeReason = reason
    const host = this.host
    this.host = undefined
    host?.release(this, reason)
    this.#resolveClosed(reason)
  }
}
