/**
 * The callbacks subscribed to one kind of event, told in the order they subscribed. A callback that
 * throws never stops the others: its error goes to `onError` (by default it is rethrown once all
 * were told).
 *
 * @example
 * const changes = new Observers<number>()
 * const unsubscribe = changes.add((count) => console.log(count))
 * changes.notify(3)
 * unsubscribe()
 */
export class Observers<E = void> {
  readonly #callbacks = new Set<(event: E) => void>()
  readonly #onError: ((error: unknown) => void) | undefined

  constructor(onError?: (error: unknown) => void) {
    this.#onError = onError
  }

  /** How many callbacks are subscribed. */
  get size(): number {
    return this.#callbacks.size
  }

  /** Subscribes `callback`; returns the function that unsubscribes it. */
  add(callback: (event: E) => void): () => void {
    this.#callbacks.add(callback)
    return () => this.#callbacks.delete(callback)
  }

  /** Tells every callback subscribed now. */
  notify(event: E): void {
    let failure: { error: unknown } | undefined
    for (const callback of [...this.#callbacks]) {
      try {
        callback(event)
      } catch (error) {
        if (this.#onError) this.#onError(error)
        else failure ??= { error }
      }
    }
    if (failure) throw failure.error
  }
}
