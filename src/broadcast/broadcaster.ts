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
  /** Runs the next slice of a chunk's fan-out once the event loop has served what waits (default: `setTimeout(next, 0)`). */
  defer?: (next: () => void) => void
}

/** Listeners a chunk is written to in one go; more are written to in slices of this many. */
export const SLICE = 500

/** A chunk being written to a snapshot of the listeners, slice by slice. */
interface FanOut {
  readonly chunk: Chunk
  readonly listeners: readonly Listener[]
  next: number
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
export type BroadcastTap = (event: { type: 'chunk'; chunk: Chunk; due?: number } | { type: 'clear' }) => void

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
  #pending: FanOut | undefined
  readonly #defer: (next: () => void) => void
  readonly #allocateId: () => number
  #last: Chunk | undefined

  constructor(options: BroadcasterOptions) {
    this.#options = options
    this.#clock = options.clock ?? systemClock
    this.#allocateId = options.nextId ?? (() => this.#nextId++)
    this.#defer = options.defer ?? ((next) => setTimeout(next, 0))
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

  /**
   * Publishes a chunk to every listener (and the burst buffer). The chunk must never be written
   * again. With more than `SLICE` listeners it goes out in slices, the event loop served between
   * them, so a new listener is not kept waiting while thousands are written to; every listener
   * still has the chunk within milliseconds, and before the next one. `due` is when the chunk was
   * due on air by the pacer's clock (taps date what they make of it by that).
   */
  publish(chunk: Chunk, due?: number): void {
    this.#finishFanOut()
    this.#last = chunk
    this.stats.chunks++
    this.stats.bytes += chunk.data.length
    this.burst.push(chunk)
    if (this.#listeners.size <= SLICE) { for (const listener of this.#listeners) listener.offer(chunk) }
    else this.#fanOut({ chunk, listeners: [...this.#listeners], next: 0 })
    this.#taps.notify({ type: 'chunk', chunk, due })
  }

  #fanOut(fanOut: FanOut): void {
    this.#offerUpTo(fanOut, fanOut.next + SLICE)
    this.#pending = fanOut.next < fanOut.listeners.length ? fanOut : undefined
    if (this.#pending) this.#defer(() => this.#pending === fanOut && this.#fanOut(fanOut))
  }

  /** Ends a sliced chunk's fan-out at once: a listener receives chunks in order. */
  #finishFanOut(): void {
    const fanOut = this.#pending
    this.#pending = undefined
    if (fanOut) this.#offerUpTo(fanOut, fanOut.listeners.length)
  }

  /** Offers a fan-out's chunk to its next listeners, up to index `end`. */
  #offerUpTo(fanOut: FanOut, end: number): void {
    const { chunk, listeners } = fanOut
    const stop = Math.min(end, listeners.length)
    // A listener that left or moved to another broadcaster meanwhile is no longer this one's to feed.
    for (let i = fanOut.next; i < stop; i++) if (listeners[i]!.host === this) listeners[i]!.offer(chunk)
    fanOut.next = stop
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
