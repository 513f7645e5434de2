/**
 * The two live connections of a page, each of which reconnects by itself with back-off: the
 * station's events (Server-Sent Events) and the audio stream (an `<audio>` element).
 */
import type { ListenerCountsJson, ListenersEventJson, TrackEventJson } from './api-types.d.ts'
import { backoffSeconds } from './timeline.ts'

/** Where a connection stands. `waiting`: lost, the next attempt is `seconds` away. */
export type ConnectionState =
  | { kind: 'connecting'; retry: boolean }
  | { kind: 'open' }
  | { kind: 'waiting'; seconds: number }

export interface EventsHandlers {
  /** (Re)connected: the server sends the current state next; whatever was known may be stale. */
  open(): void
  track(mount: string, track: TrackEventJson, receivedAt: number): void
  listeners(mount: string, counts: ListenerCountsJson): void
  state(state: ConnectionState): void
}

/**
 * The events stream (`/api/events`, or one mount's `/api/mounts/<name>/events`). On any error the
 * connection is closed and opened again after a back-off (1, 2, 4 … 30 s), which EventSource alone
 * does not do: it gives up for good on an HTTP error, and retries a dead server every 3 s forever.
 */
export class StationEvents {
  readonly #url: string
  readonly #mount: string | undefined
  readonly #handlers: EventsHandlers
  #source: EventSource | undefined
  #attempt = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  /** `mount`: the mount of a single mount's stream, whose events carry no `mount` field. */
  constructor(url: string, mount: string | undefined, handlers: EventsHandlers) {
    this.#url = url
    this.#mount = mount
    this.#handlers = handlers
  }

  connect(): void {
    clearTimeout(this.#timer)
    this.#source?.close()
    this.#handlers.state({ kind: 'connecting', retry: this.#attempt > 0 })
    const source = new EventSource(this.#url)
    this.#source = source
    const data = (e: Event) => JSON.parse((e as MessageEvent<string>).data) as { mount?: string }
    source.addEventListener('open', () => {
      this.#attempt = 0
      this.#handlers.state({ kind: 'open' })
      this.#handlers.open()
    })
    source.addEventListener('track', (e) => {
      const track = data(e) as TrackEventJson & { mount?: string }
      this.#handlers.track(track.mount ?? this.#mount ?? '', track, performance.now())
    })
    source.addEventListener('listeners', (e) => {
      const counts = data(e) as ListenersEventJson
      this.#handlers.listeners(counts.mount ?? this.#mount ?? '', counts)
    })
    source.addEventListener('error', () => {
      if (this.#source !== source) return
      source.close()
      this.#source = undefined
      const seconds = backoffSeconds(++this.#attempt)
      this.#handlers.state({ kind: 'waiting', seconds })
      this.#timer = setTimeout(() => this.connect(), seconds * 1000)
    })
  }

  /** Whether the stream is connected now. */
  get isOpen(): boolean {
    return this.#source?.readyState === EventSource.OPEN
  }

  /** Tries at once if waiting (the network came back). */
  retryNow(): void {
    if (!this.#source) this.connect()
  }
}

/** What the audio is doing. `blocked`: the browser wants a tap before it plays. */
export type PlayerState = ConnectionState | { kind: 'stopped' } | { kind: 'buffering' } | { kind: 'blocked' }

/** One request of the stream: when it was made, so the page can tell where in the stream it began. */
export interface Session {
  readonly url: string
  /** `performance.now()` when the request went out. */
  readonly requestedAt: number
}

export interface PlayerOptions {
  state(state: PlayerState): void
  /** A new request of the stream went out. */
  session(session: Session): void
  /** Seconds without progress (while it should play) before the player gives up on a connection. */
  stallSeconds?: number
}

/** Seconds of continuous playback after which reconnection attempts count from 1 again. */
const STEADY_SECONDS = 10

/**
 * Plays a live stream in an `<audio>` element and keeps it playing: when the stream errors, ends
 * (the server restarted) or stalls (the network dropped), it reconnects after a back-off, until
 * stopped. Stopping disconnects (live radio resumes at the live edge, not where it paused).
 */
export class RadioPlayer {
  readonly audio: HTMLAudioElement
  readonly #options: PlayerOptions
  readonly #stallMs: number
  #url: string | undefined
  #state: PlayerState = { kind: 'stopped' }
  #attempt = 0
  #retry: ReturnType<typeof setTimeout> | undefined
  #session: Session | undefined
  /** Progress of the current session: the furthest `currentTime`, and when it last advanced. */
  #progress = { time: 0, at: 0 }

  constructor(audio: HTMLAudioElement, options: PlayerOptions) {
    this.audio = audio
    this.#options = options
    this.#stallMs = (options.stallSeconds ?? 6) * 1000
    audio.addEventListener('playing', () => this.#ifCurrent(() => this.#set({ kind: 'open' })))
    audio.addEventListener(
      'waiting',
      () => this.#ifCurrent(() => this.#state.kind === 'open' && this.#set({ kind: 'buffering' })),
    )
    audio.addEventListener('timeupdate', () => this.#ifCurrent(() => this.#advance()))
    audio.addEventListener('error', () => this.#ifCurrent(() => this.#lost()))
    audio.addEventListener('ended', () => this.#ifCurrent(() => this.#lost()))
    setInterval(() => this.#watch(), 1000)
  }

  get state(): PlayerState {
    return this.#state
  }

  /** The stream being played (or reconnected to), if any. */
  get url(): string | undefined {
    return this.#url
  }

  /** The current request of the stream, if one is playing or connecting. */
  get session(): Session | undefined {
    return this.#session
  }

  play(url: string): void {
    this.#url = url
    this.#attempt = 0
    this.#start()
  }

  stop(): void {
    this.#url = undefined
    clearTimeout(this.#retry)
    this.#detach()
    this.#set({ kind: 'stopped' })
  }

  /** Reconnects at once if waiting to (the server or the network is back). */
  retryNow(): void {
    if (this.#url && this.#state.kind === 'waiting') this.#start()
  }

  #start(): void {
    clearTimeout(this.#retry)
    const url = this.#url
    if (!url) return
    this.#set({ kind: 'connecting', retry: this.#attempt > 0 })
    const session = { url, requestedAt: performance.now() }
    this.#session = session
    this.#progress = { time: 0, at: session.requestedAt }
    this.audio.src = url
    this.#options.session(session)
    this.audio.play().catch((error: unknown) => {
      if (this.#session !== session) return
      if (error instanceof DOMException && error.name === 'NotAllowedError') {
        this.#detach()
        this.#url = url
        this.#set({ kind: 'blocked' })
      } else if (!(error instanceof DOMException && error.name === 'AbortError')) {
        this.#lost()
      }
    })
  }

  /** Runs `f` only while a session is current (events of a detached element are stale). */
  #ifCurrent(f: () => void): void {
    if (this.#session && this.#url) f()
  }

  #advance(): void {
    const time = this.audio.currentTime
    if (time <= this.#progress.time) return
    this.#progress = { time, at: performance.now() }
    if (this.#state.kind !== 'open') this.#set({ kind: 'open' })
    if (time >= STEADY_SECONDS) this.#attempt = 0
  }

  #watch(): void {
    const kind = this.#state.kind
    if (kind !== 'open' && kind !== 'buffering' && kind !== 'connecting') return
    // A connection that makes no progress for a while is dead, whatever the element thinks.
    const patience = kind === 'connecting' ? this.#stallMs * 2 : this.#stallMs
    if (performance.now() - this.#progress.at > patience) this.#lost()
  }

  #lost(): void {
    if (!this.#url) return
    this.#detach()
    const seconds = backoffSeconds(++this.#attempt)
    this.#set({ kind: 'waiting', seconds })
    this.#retry = setTimeout(() => this.#start(), seconds * 1000)
  }

  /** Drops the connection: without a source the element aborts its download. */
  #detach(): void {
    this.#session = undefined
    this.audio.removeAttribute('src')
    this.audio.load()
  }

  #set(state: PlayerState): void {
    this.#state = state
    this.#options.state(state)
  }
}
