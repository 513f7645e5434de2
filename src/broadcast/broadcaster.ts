import type { Chunk } from '../pipeline/chunk.ts'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { BurstBuffer } from './burst-buffer.ts'
import { Observers } from '../util/observers.ts'
import type { CloseReason, ListenerHost, ListenerInfo, ListenerOptions } from './listener.ts'
import { Listener } from './listener.ts'

export interface BroadcasterOptions {
  /** What it broadcasts (a mount's path), for whoever follows its listeners elsewhere. */
  name?: string
  /** Seconds of recent audio a new listener receives at once. */
  burstSeconds: number
  /** Seconds of audio a listener may be skipped in a row before it is dropped. */
  slowLimit: number
  /** Each listener's stream queue, in bytes. */
  highWaterMark: number
  clock?: Clock
  /** Allocates listener ids; a station shares one counter so ids stay unique as listeners move between mounts. */
  nextId?: () => number
}

/** Counters a broadcaster keeps for status pages and metrics. */
export interface BroadcastStats {
  /** Most listeners at once. */
  peak: number
  /** Listeners added since start. */
  connections: number
  /** Listeners dropped for being too slow. */
  slowDrops: number
  /** Chunks published. */
  chunks: number
  /** Audio bytes published (each chunk counted once, however many listeners got it). */
  bytes: number
  /** Bytes sent to listeners that have left (see `Broadcaster.bytesSent()` for the total). */
  departedBytes: number
}

/** Makes a listener; lets a mount substitute a listener that rewrites the byte stream. */
export type ListenerFactory = (options: ListenerOptions) => Listener

/** What a broadcaster tells its observers; a listener moved to another mount leaves with reason `moved` (and joins there). */
export type BroadcastEvent =
  | { type: 'join'; listener: Listener }
  | { type: 'leave'; listener: Listener; reason: CloseReason | 'moved' }

/** What a broadcaster's taps see: every published chunk, and the burst cleared (a new stream). */
export type BroadcastTap = (event: { type: 'chunk'; chunk: Chunk } | { type: 'clear' }) => void

/**
 * One per mount: publishes each paced chunk to every listener's stream, the same bytes at the same
 * moment, and hands each new listener the burst first. A listener whose stream is full is skipped
 * for that chunk (and dropped when it stays full), so a slow listener never holds up the others.
 *
 * @example
 * const broadcaster = new Broadcaster({ burstSeconds: 3, slowLimit: 10, highWaterMark: 96_000 })
 * pacer = new Pacer(() => chunker.next(), (chunk) => broadcaster.publish(chunk))
 * const listener = broadcaster.add(info)       // burst already queued
 * return new Response(listener.stream)
 */
export class Broadcaster implements ListenerHost {
  readonly burst: BurstBuffer
  readonly stats: BroadcastStats = { peak: 0, connections: 0, slowDrops: 0, chunks: 0, bytes: 0, departedBytes: 0 }
  readonly #listeners = new Set<Listener>()
  readonly #observers = new Observers<BroadcastEvent>()
  readonly #taps = new Observers<Parameters<BroadcastTap>[0]>()
  readonly #options: BroadcasterOptions
  readonly #clock: Clock
  #nextId = 1
  readonly #allocateId: () => number
  #last: Chunk | undefined

  constructor(options: BroadcasterOptions) {
    this.#options = options
    this.#clock = options.clock ?? systemClock
    this.#allocateId = options.nextId ?? (() => this.#nextId++)
    this.burst = new BurstBuffer(options.burstSeconds)
  }

  /** What it broadcasts (a mount's path), if named. */
  get name(): string | undefined {
    return this.#options.name
  }

  /** Listeners connected now. */
  get size(): number {
    return this.#listeners.size
  }

  /** Each listener's stream queue size, in bytes. */
  get highWaterMark(): number {
    return this.#options.highWaterMark
  }

  /** The most recently published chunk. */
  get lastChunk(): Chunk | undefined {
    return this.#last
  }

  listeners(): Listener[] {
    return [...this.#listeners]
  }

  /** Bytes sent to listeners since start, those connected now and those gone (ICY metadata included). */
  bytesSent(): number {
    let bytes = this.stats.departedBytes
    for (const listener of this.#listeners) bytes += listener.bytesSent
    return bytes
  }

  /** Publishes a chunk to every listener (and the burst buffer). The chunk must never be written again. */
  publish(chunk: Chunk): void {
    this.#last = chunk
    this.stats.chunks++
    this.stats.bytes += chunk.data.length
    this.burst.push(chunk)
    for (const listener of this.#listeners) listener.offer(chunk)
    this.#taps.notify({ type: 'chunk', chunk })
  }

  /** Empties the burst buffer (the stream changed: old audio must not reach new listeners). */
  clearBurst(): void {
    this.burst.clear()
    this.#taps.notify({ type: 'clear' })
  }

  /**
   * Follows the broadcast itself (each chunk as it is published, the burst cleared), as another
   * process serving listeners of the same mount does; returns the unsubscribe function.
   */
  tap(tap: BroadcastTap): () => void {
    return this.#taps.add(tap)
  }

  /**
   * Adds a listener: creates its stream, queues the burst (whole chunks, from a frame boundary),
   * and from then on it receives every published chunk.
   */
  add(info: ListenerInfo, factory: ListenerFactory = (options) => new Listener(options)): Listener {
    const listener = factory({
      id: this.#allocateId(),
      info,
      highWaterMark: this.#options.highWaterMark,
      slowLimit: this.#options.slowLimit,
      connectedAt: this.#clock.now(),
    })
    for (const chunk of this.burst.chunks()) listener.sendNow(chunk)
    if (listener.isClosed) return listener
    listener.host = this
    this.#listeners.add(listener)
    this.stats.connections++
    this.stats.peak = Math.max(this.stats.peak, this.#listeners.size)
    this.#notify({ type: 'join', listener })
    return listener
  }

  /**
   * Moves a listener to another broadcaster without closing its stream: from the next chunk `to`
   * publishes, it receives `to`'s audio (no burst: it already has audio queued). Chunks start on frame
   * boundaries, so the byte stream stays whole frames. Only between streams of the same format,
   * sample rate and channels; the caller checks that.
   */
  transfer(listener: Listener, to: Broadcaster): boolean {
    if (to === this || listener.isClosed || !this.#listeners.delete(listener)) return false
    this.#notify({ type: 'leave', listener, reason: 'moved' })
    listener.host = to
    listener.movedTo(to)
    to.#listeners.add(listener)
    to.stats.peak = Math.max(to.stats.peak, to.#listeners.size)
    to.#notify({ type: 'join', listener })
    return true
  }

  /** Finds a connected listener by id. */
  get(id: number): Listener | undefined {
    for (const listener of this.#listeners) if (listener.id === id) return listener
    return undefined
  }

  /** Closes every listener, e.g. at shutdown. */
  closeAll(reason: CloseReason): void {
    for (const listener of [...this.#listeners]) listener.close(reason)
  }

  /** Subscribes to joins and leaves; returns the unsubscribe function. */
  observe(observer: (event: BroadcastEvent) => void): () => void {
    return this.#observers.add(observer)
  }

  /** A listener's stream ended (the listener tells its host): it is removed and counted. */
  release(listener: Listener, reason: CloseReason): void {
    if (!this.#listeners.delete(listener)) return
    this.stats.departedBytes += listener.bytesSent
    if (reason === 'slow') this.stats.slowDrops++
    this.#notify({ type: 'leave', listener, reason })
  }

  #notify(event: BroadcastEvent): void {
    this.#observers.notify(event)
  }
}
