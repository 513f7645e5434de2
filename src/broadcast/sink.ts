/**
 * Where a listener's bytes go: its response's body. A `StreamSink` (a `ReadableStream`, which any
 * runtime's `Response` takes) by default; a runtime may offer one that writes to the connection
 * itself (`runtime/node-response-sink.ts`), which costs far less per listener.
 */
export interface ListenerSink {
  /** Whether the connection still takes bytes (false once the client left or the response ended). */
  readonly open: boolean
  /** Bytes written and not yet taken by the connection (held in memory). */
  readonly queued: number
  /** Hands bytes to the connection; they are shared and never written again. Throws if it closed. */
  write(bytes: Uint8Array): void
  /**
   * Hands several pieces to the connection at once, without joining them into a copy (one system
   * call where the connection allows it); without it, the pieces are joined and `write` takes them.
   */
  writeParts?(parts: readonly Uint8Array[]): void
  /** Ends the response once what is queued has been sent. */
  end(): void
  /** Ends the response at once, as an error. */
  abort(reason: string): void
}

/** Makes a listener's sink; `gone` is called when the client leaves. */
export type SinkFactory = (gone: () => void) => ListenerSink

/**
 * The stream's own high-water mark, in bytes: small, because Bun sizes each response's native
 * write buffer by it (a 96 KB mark cost ~50 KB of memory per listener). How much a listener may
 * have queued is the listener's own limit, counted from `desiredSize`.
 */
const STREAM_HIGH_WATER_MARK = 1024

/**
 * A listener's bytes as a `ReadableStream` (a default stream: enqueueing shares the bytes, where a
 * byte stream would detach them), the body of its `Response`.
 *
 * @example
 * const sink = new StreamSink(() => listener.left())
 * return new Response(sink.stream)
 */
export class StreamSink implements ListenerSink {
  readonly stream: ReadableStream<Uint8Array>
  #controller!: ReadableStreamDefaultController<Uint8Array>
  #ended = false

  constructor(gone: () => void) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller
        },
        cancel: () => gone(),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: STREAM_HIGH_WATER_MARK }),
    )
  }

  get open(): boolean {
    return !this.#ended && this.#controller.desiredSize !== null
  }

  get queued(): number {
    const desired = this.#controller.desiredSize
    return desired === null ? 0 : STREAM_HIGH_WATER_MARK - desired
  }

  write(bytes: Uint8Array): void {
    this.#controller.enqueue(bytes)
  }

  end(): void {
    this.#ended = true
    try {
      this.#controller.close()
    } catch {
      // already closed by the runtime
    }
  }

  abort(reason: string): void {
    this.#ended = true
    try {
      this.#controller.error(new Error(reason))
    } catch {
      // already closed by the runtime
    }
  }
}
