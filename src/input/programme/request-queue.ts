/** A request waiting to play, as the queue holds it. */
export interface QueuedRequest<T = unknown> {
  /** Unique per station run. */
  readonly id: number
  /** The file, as resolved. */
  readonly path: string
  /** What listeners will see. */
  readonly title: string
  /** When it was queued (ms since the epoch). */
  readonly queuedAt: number
  /** What the player needs to play it, found when it was queued. */
  readonly item: T
}

let lastRequestId = 0

/**
 * The requests of one mount, played first in, first out at the next track boundaries. The operator
 * can list, remove and reorder them; a reload keeps the queue (it belongs to the mount, not the
 * config).
 *
 * @example
 * const queue = new RequestQueue<Ready>()
 * const entry = queue.add({ path, title, queuedAt: Date.now(), item })
 * queue.move(entry.id, 0) // to the front
 */
export class RequestQueue<T = unknown> {
  #entries: QueuedRequest<T>[] = []

  /** The queue, next first. */
  get entries(): readonly QueuedRequest<T>[] {
    return this.#entries
  }

  get size(): number {
    return this.#entries.length
  }

  /** Queues a request at the end (or at `position`); returns it with its id. */
  add(request: Omit<QueuedRequest<T>, 'id'>, position = this.#entries.length): QueuedRequest<T> {
    const entry = { id: ++lastRequestId, ...request }
    this.#entries.splice(Math.max(0, Math.min(position, this.#entries.length)), 0, entry)
    return entry
  }

  /** Takes the next request off the queue. */
  shift(): QueuedRequest<T> | undefined {
    return this.#entries.shift()
  }

  /** Removes the request `id`; false when it is not queued (it played, or never was). */
  remove(id: number): boolean {
    const index = this.#entries.findIndex((entry) => entry.id === id)
    if (index < 0) return false
    this.#entries.splice(index, 1)
    return true
  }

  /** Moves the request `id` to `position` (0: next; beyond the end: last); false when it is not queued. */
  move(id: number, position: number): boolean {
    const index = this.#entries.findIndex((entry) => entry.id === id)
    if (index < 0) return false
    const [entry] = this.#entries.splice(index, 1)
    this.#entries.splice(Math.max(0, Math.min(position, this.#entries.length)), 0, entry!)
    return true
  }
}
