import type { Socket } from 'node:net'

/** One message between the station and a worker process: a JSON head, and bytes (a chunk's audio) when it carries any. */
export interface LinkMessage {
  readonly head: { readonly t: string; readonly [key: string]: unknown }
  readonly body?: Uint8Array
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * Frames a message: its total length and its head's length (32-bit, big-endian), the head as
 * JSON, then the body.
 *
 * @example
 * socket.write(encodeMessage({ t: 'chunk', m: '/stream' }, chunk.data))
 */
export const encodeMessage = (head: LinkMessage['head'], body?: Uint8Array): Uint8Array => {
  const json = encoder.encode(JSON.stringify(head))
  const length = 8 + json.length + (body?.length ?? 0)
  const frame = new Uint8Array(length)
  const view = new DataView(frame.buffer)
  view.setUint32(0, length)
  view.setUint32(4, json.length)
  frame.set(json, 8)
  if (body) frame.set(body, 8 + json.length)
  return frame
}

/**
 * Reads framed messages from a byte stream as it arrives in pieces. Each body is a copy of its
 * own, so it can be kept (in a burst buffer) without holding the socket's larger read buffers.
 *
 * @example
 * const reader = new MessageReader()
 * socket.on('data', (data) => { for (const message of reader.push(data)) handle(message) })
 */
export class MessageReader {
  #pending: Uint8Array[] = []
  #pendingBytes = 0

  push(data: Uint8Array): LinkMessage[] {
    this.#pending.push(data)
    this.#pendingBytes += data.length
    const messages: LinkMessage[] = []
    while (this.#pendingBytes >= 4) {
      const length = this.#peekLength()
      if (length < 8) throw new Error(`a message of ${length} bytes: the link is corrupt`)
      if (this.#pendingBytes < length) break
      const frame = this.#take(length)
      const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
      const headLength = view.getUint32(4)
      const head = JSON.parse(decoder.decode(frame.subarray(8, 8 + headLength))) as LinkMessage['head']
      const body = frame.length > 8 + headLength ? frame.slice(8 + headLength) : undefined
      messages.push(body ? { head, body } : { head })
    }
    return messages
  }

  #peekLength(): number {
    const first = this.#pending[0]!
    if (first.length >= 4) return new DataView(first.buffer, first.byteOffset, 4).getUint32(0)
    return new DataView(this.#take(4, false).buffer).getUint32(0)
  }

  /** The next `length` bytes, removed from the pending pieces unless `consume` is false. */
  #take(length: number, consume = true): Uint8Array {
    const out = new Uint8Array(length)
    let filled = 0
    let index = 0
    while (filled < length) {
      const piece = this.#pending[index]!
      const take = Math.min(length - filled, piece.length)
      out.set(piece.subarray(0, take), filled)
      filled += take
      if (!consume) {
        index++
        continue
      }
      if (take === piece.length) this.#pending.shift()
      else this.#pending[0] = piece.subarray(take)
    }
    if (consume) this.#pendingBytes -= length
    return out
  }
}

/**
 * A message link over a local socket, in order, both ways: how the station and its worker
 * processes talk.
 *
 * @example
 * const link = new Link(socket, (message) => handle(message), () => console.log('worker gone'))
 * link.send({ t: 'close', id: 7, reason: 'kicked' })
 */
export class Link {
  readonly #socket: Socket
  #closed = false

  constructor(socket: Socket, onMessage: (message: LinkMessage) => void, onClose: () => void) {
    this.#socket = socket
    socket.setNoDelay(true)
    const reader = new MessageReader()
    socket.on('data', (data: Uint8Array) => {
      let messages: LinkMessage[]
      try {
        messages = reader.push(data)
      } catch {
        socket.destroy()
        return
      }
      for (const message of messages) onMessage(message)
    })
    socket.on('error', () => {})
    socket.once('close', () => {
      this.#closed = true
      onClose()
    })
  }

  get closed(): boolean {
    return this.#closed
  }

  send(head: LinkMessage['head'], body?: Uint8Array): void {
    if (this.#closed) return
    this.#socket.write(encodeMessage(head, body))
  }

  close(): void {
    this.#socket.end()
  }
}
