import type { Chunk } from '../pipeline/chunk.ts'
import type { CloseReason, ListenerHost, ListenerOptions } from '../broadcast/listener.ts'
import { Listener } from '../broadcast/listener.ts'
import type { Link } from './link.ts'

/**
 * The station's record of a listener that a worker process serves: counted, listed, kicked and
 * moved like any other, while its audio flows in the worker (which follows the same broadcast).
 * It holds no stream of its own; what the station does to it is sent to the worker.
 *
 * @example
 * const joined = join(mount, info, icy, options, (o) => new RemoteListener(o, link))
 */
export class RemoteListener extends Listener {
  readonly #link: Link
  #sent = 0

  constructor(options: ListenerOptions, link: Link) {
    super(options)
    this.#link = link
  }

  override get queuedBytes(): number {
    return 0
  }

  override get bytesSent(): number {
    return this.#sent
  }

  override sendNow(_chunk: Chunk): void {}

  /** The worker offers each chunk to its own listener; here it counts as delivered while connected. */
  override offer(_chunk: Chunk): boolean {
    return !this.isClosed
  }

  override close(reason: CloseReason): void {
    if (this.isClosed) return
    this.#link.send({ t: 'close', id: this.id, reason })
    this.end(reason)
  }

  override movedTo(host: ListenerHost): void {
    if (host.name) this.#link.send({ t: 'move', id: this.id, to: host.name })
  }

  /** The worker's count of bytes sent to it. */
  report(sent: number): void {
    this.#sent = Math.max(this.#sent, sent)
  }

  /** The worker says its listener ended. */
  left(reason: CloseReason, sent: number): void {
    this.report(sent)
    this.end(reason)
  }
}
