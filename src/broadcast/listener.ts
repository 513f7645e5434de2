import type { Chunk } from '../pipeline/chunk.ts'

/** Why a listener's stream ended. */
export type CloseReason = 'client' | 'slow' | 'kicked' | 'shutdown' | 'error'

/** Who is listening, as the HTTP layer saw them. */
export interface ListenerInfo {
  readonly address: string
  readonly userAgent: string
  readonly referer: string
  /** The request line's method, path and protocol, for the access log. */
  readonly request: string
}

export interface ListenerOptions {
  readonly id: number
  readonly info: ListenerInfo
  /** Queue size (bytes) of the listener's stream; `desiredSize` counts down from it. */
  readonly highWaterMark: number
  /** Seconds of audio a listener may be skipped in a row before it is dropped as slow. */
  readonly slowLimit: number
  /** Clock time (ms) of connection. */
  readonly connectedAt: number
}

/** Whoever serves a listener now (its broadcaster): told when the listener's stream ends. */
export interface ListenerHost {
  /** What the host serves (a mount's path), when it has a name. */
  readonly name?: string
  release(listener: Listener, reason: CloseReason): void
}

/**
 * One listener's own `ReadableStream`, fed by the broadcaster. A chunk is enqueued only while the
 * stream wants more (`desiredSize > 0`); otherwise it is skipped, and a listener skipped for more
 * than `slowLimit` seconds of audio in a row is dropped as slow. Nothing is ever enqueued after the
 * stream closed or was cancelled.
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
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined
  #stream: ReadableStream<Uint8Array> | undefined
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

  /** The listener's audio: the response body. Made on first use, so a listener served elsewhere (another process) holds none. */
  get stream(): ReadableStream<Uint8Array> {
    this.#stream ??= new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller
        },
        cancel: () => this.#finish('client'),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: this.#options.highWaterMark }),
    )
    return this.#stream
  }

  get #queue(): ReadableStreamDefaultController<Uint8Array> {
    if (!this.#controller) void this.stream
    return this.#controller!
  }

  get isClosed(): boolean {
    return this.#closeReason !== undefined
  }

  get closeReason(): CloseReason | undefined {
    return this.#closeReason
  }

  /** Bytes queued in the stream, not yet taken by the runtime. */
  get queuedBytes(): number {
    const desired = this.#closeReason ? null : this.#queue.desiredSize
    return desired === null ? 0 : this.#options.highWaterMark - desired
  }

  /** Bytes the runtime has taken from the stream to send. */
  get bytesSent(): number {
    return this.#sentAtClose ?? this.bytesEnqueued - this.queuedBytes
  }

  /** Enqueues without checking room: for the burst, which is sent whole. */
  sendNow(chunk: Chunk): void {
    if (this.#closeReason) return
    this.write(chunk)
  }

  /**
   * Offers a live chunk: enqueued if the listener has room, else skipped (and counted toward the
   * slow limit). Returns whether it was enqueued.
   */
  offer(chunk: Chunk): boolean {
    if (this.#closeReason) return false
    const desired = this.#queue.desiredSize
    if (desired === null) {
      this.#finish('client')
      return false
    }
    if (desired <= 0) {
      this.#skippedRun += chunk.duration
      this.skippedTotal += chunk.duration
      if (this.#skippedRun > this.#options.slowLimit) this.close('slow')
      return false
    }
    this.#skippedRun = 0
    this.write(chunk)
    return true
  }

  /** Writes a chunk's bytes into the stream. Subclasses that rewrite the byte stream override this. */
  protected write(chunk: Chunk): void {
    this.enqueue(chunk.data)
  }

  protected enqueue(bytes: Uint8Array): void {
    try {
      this.#queue.enqueue(bytes)
      this.bytesEnqueued += bytes.length
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
    try {
      if (reason === 'shutdown' || reason === 'kicked' || reason === 'slow') this.#controller?.close()
      else this.#controller?.error(new Error(`listener closed: ${reason}`))
    } catch {
      // already closed by the runtime
    }
  }

  /** Records the end (once): the host is told, `closed` resolves. For subclasses whose stream lives elsewhere. */
  protected end(reason: CloseReason, bytesSent?: number): void {
    if (bytesSent !== undefined) this.#sentAtClose ??= bytesSent
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
