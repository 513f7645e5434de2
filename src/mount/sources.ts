import type { FrameFeed } from '../input/stream/feed.ts'
import type { SourceConnection } from '../input/source.ts'
import type { SourceKind } from '../input/track.ts'

/**
 * The sources connected to a mount: at most one live source client and one relay connection. A
 * connection stays known by its feed after it disconnects, while its last audio still plays.
 *
 * @example
 * sources.add(connection)
 * sources.foremost?.close('killed by an admin')
 */
export class SourceRegistry {
  /** Sources admitted since start, live DJs and relay connections apart. */
  readonly admitted: Record<SourceKind, number> = { live: 0, relay: 0 }
  readonly #current = new Map<SourceKind, SourceConnection>()
  readonly #byFeed = new WeakMap<FrameFeed, SourceConnection>()

  /** The connected source of `kind`, if any. */
  get(kind: SourceKind): SourceConnection | undefined {
    return this.#current.get(kind)
  }

  /** The live source, else the relay connection. */
  get foremost(): SourceConnection | undefined {
    return this.#current.get('live') ?? this.#current.get('relay')
  }

  /** The connection a feed belongs to. */
  of(feed: FrameFeed): SourceConnection | undefined {
    return this.#byFeed.get(feed)
  }

  /** Registers a connection; it is forgotten when its feed ends. */
  add(connection: SourceConnection): void {
    this.admitted[connection.kind]++
    this.#current.set(connection.kind, connection)
    this.#byFeed.set(connection.feed, connection)
    const unsubscribe = connection.feed.observe(() => {
      if (!connection.feed.ended) return
      unsubscribe()
      if (this.#current.get(connection.kind) === connection) this.#current.delete(connection.kind)
    })
  }

  /** Disconnects every source. */
  closeAll(reason: string): void {
    for (const connection of [...this.#current.values()]) connection.close(reason)
  }
}
