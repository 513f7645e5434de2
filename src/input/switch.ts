import type { FrameFeed } from './stream/feed.ts'
import type { InputKind, SourceFrame, SourceKind } from './track.ts'

/** The playlist side of a switch: an endless frame iterator that can skip to its next track. */
export interface PlaylistInput {
  frames(): AsyncIterator<SourceFrame>
  skip(): void
}

const PRIORITY: readonly SourceKind[] = ['live', 'relay']

/**
 * The one frame iterator behind a mount's chunker: it picks, frame by frame, the live source when one
 * is connected and holds its preroll, else the relay, else the playlist (AutoDJ); with none of them
 * it waits, off air. It only ever changes between frames, and every input's frames belong to their
 * own tracks, so each input starts on a chunk boundary; the pacer keeps pacing the one timeline, so
 * listeners hear no gap and no burst at a switch. An input on air stays on air until it has played
 * everything it queued (a source's last second is not cut off) unless one of higher priority is
 * ready. When the playlist comes back after a live set or a relay, it starts its next track.
 *
 * @example
 * const input = new SourceSwitch(playlist)
 * const chunker = new Chunker(input, 0.25)
 * input.attach(liveFeed) // listeners hear it from the next chunk on
 */
export class SourceSwitch implements AsyncIterator<SourceFrame> {
  readonly #playlist: PlaylistInput | undefined
  #playlistFrames: AsyncIterator<SourceFrame> | undefined
  #feeds: FrameFeed[] = []
  #current: FrameFeed | undefined
  #active: InputKind | undefined
  #playlistInterrupted = false
  #closed = false
  #wake: (() => void) | undefined
  readonly #unsubscribe = new Map<FrameFeed, () => void>()
  /** Called when what is on air changes (after the change, before its first frame is returned). */
  onChange: ((active: InputKind | undefined, previous: InputKind | undefined) => void) | undefined

  constructor(playlist?: PlaylistInput) {
    this.#playlist = playlist
  }

  /** What the last frame came from (undefined: off air). */
  get active(): InputKind | undefined {
    return this.#active
  }

  /** The feed on air, if a live source or relay is. */
  get currentFeed(): FrameFeed | undefined {
    return this.#current
  }

  /** Adds a feed; it goes on air once it holds its preroll (and nothing of higher priority is on). */
  attach(feed: FrameFeed): void {
    this.#feeds.push(feed)
    this.#unsubscribe.set(feed, feed.observe(() => this.#poke()))
    this.#poke()
  }

  /** Ends the iteration: a pending `next()` resolves as done. */
  close(): void {
    this.#closed = true
    this.#poke()
  }

  [Symbol.asyncIterator](): AsyncIterator<SourceFrame> {
    return this
  }

  async next(): Promise<IteratorResult<SourceFrame>> {
    for (;;) {
      if (this.#closed) return { done: true, value: undefined }
      const feed = this.#pick()
      if (feed) {
        this.#switchTo(feed.kind, feed)
        const item = feed.shift()
        if (item) return { done: false, value: item }
        await this.#changed()
        continue
      }
      if (this.#playlist) {
        if (this.#active !== 'playlist' && this.#playlistInterrupted) this.#playlist.skip()
        this.#switchTo('playlist', undefined)
        this.#playlistFrames ??= this.#playlist.frames()
        const step = await this.#playlistFrames.next()
        if (!step.done) this.#playlistInterrupted = true
        return step
      }
      this.#switchTo(undefined, undefined)
      await this.#changed()
    }
  }

  async return(): Promise<IteratorResult<SourceFrame>> {
    this.close()
    await this.#playlistFrames?.return?.()
    return { done: true, value: undefined }
  }

  /** The feed to play from now: the one on air unless a higher-priority feed is ready. */
  #pick(): FrameFeed | undefined {
    const gone = (f: FrameFeed) => f.finished || (f.ended && f !== this.#current && !f.ready)
    for (const feed of this.#feeds.filter(gone)) {
      this.#unsubscribe.get(feed)?.()
      this.#unsubscribe.delete(feed)
    }
    this.#feeds = this.#feeds.filter((f) => !gone(f))
    for (const kind of PRIORITY) {
      for (const feed of this.#feeds) if (feed.kind === kind && (feed === this.#current || feed.ready)) return feed
    }
    return undefined
  }

  #switchTo(kind: InputKind | undefined, feed: FrameFeed | undefined): void {
    if (feed === this.#current && kind === this.#active) return
    const previous = this.#active
    this.#current = feed
    // A relay kept waiting behind a live source holds only its preroll, ready to take over close to live.
    for (const other of this.#feeds) other.standby = other.kind === 'relay' && kind === 'live'
    this.#active = kind
    if (kind !== previous) this.onChange?.(kind, previous)
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve))
  }

  #poke(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }
}
