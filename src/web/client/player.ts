/**
 * The listener page and the embeddable player in the browser: finds each mount's card
 * (`section[data-mount]`, rendered by the server), plays one mount at a time, and keeps titles,
 * progress, history and listener counts live from the station's events. Text from the server goes
 * into the page with `textContent` only (the CSP's Trusted Types would refuse anything else).
 */
import type { ListenerCountsJson, MountJson, OnAirJson, TrackEventJson } from './api-types.d.ts'
import type { ConnectionState, PlayerState, Session } from './live.ts'
import { RadioPlayer, StationEvents } from './live.ts'
import { element, setText } from './dom.ts'
import {
  formatDuration,
  HLS_DELAY_SEGMENTS,
  LiveEdge,
  prefersHls,
  streamStart,
  Timeline,
  trackLines,
} from './timeline.ts'

/** `19:37`, in the listener's time zone. */
const clockTime = (iso: string): string => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })

/** One mount's card and what the page knows about the mount. */
class MountView {
  readonly path: string
  readonly name: string
  readonly burst: number
  readonly chunk: number
  /** Seconds per HLS segment, when the mount serves HLS. */
  readonly hlsSegment: number | undefined
  readonly timeline = new Timeline()
  readonly live = new LiveEdge()
  readonly #section: HTMLElement
  readonly #button: HTMLButtonElement
  readonly #buttonText: Element
  readonly #song: Element
  readonly #artist: Element
  readonly #now: Element
  readonly #progress: HTMLProgressElement
  readonly #time: Element
  readonly #listeners: Element
  readonly #state: Element
  readonly #history: Element | null
  #shown: OnAirJson | undefined
  #historyKey = ''

  constructor(section: HTMLElement) {
    this.#section = section
    this.path = section.dataset.mount!
    this.burst = Number(section.dataset.burst ?? 0)
    this.chunk = Number(section.dataset.chunk ?? 0)
    this.hlsSegment = section.dataset.hlsSegment ? Number(section.dataset.hlsSegment) : undefined
    this.name = element(section, '.name').textContent ?? this.path
    this.#button = element(section, 'button.play')
    this.#buttonText = element(section, '.play-text')
    this.#now = element(section, '.now')
    this.#song = element(section, '.song')
    this.#artist = element(section, '.artist')
    this.#progress = element(section, 'progress')
    this.#time = element(section, '.time')
    this.#listeners = element(section, '.listeners')
    this.#state = element(section, '.state')
    this.#history = section.querySelector('.history')
    for (const time of section.querySelectorAll('time')) time.textContent = clockTime(time.dateTime)
  }

  onPress(handler: () => void): void {
    this.#button.addEventListener('click', handler)
  }

  /** Shows the track heard at stream position `heard`; returns it if it changed. */
  show(heard: number | undefined): OnAirJson | undefined {
    const track = heard === undefined ? this.timeline.latest : this.timeline.at(heard)
    if (!track) return undefined
    const changed = track.position !== this.#shown?.position || track.title !== this.#shown.title
    if (changed) {
      this.#shown = track
      const { song, artist } = trackLines(track)
      setText(this.#song, song)
      setText(this.#artist, artist)
    }
    const elapsed = heard === undefined ? undefined : heard - track.position
    if (elapsed !== undefined && track.duration) {
      this.#progress.hidden = false
      this.#progress.max = track.duration
      this.#progress.value = Math.min(elapsed, track.duration)
    } else {
      this.#progress.hidden = true
    }
    setText(
      this.#time,
      elapsed === undefined
        ? ''
        : `${formatDuration(elapsed)}${track.duration ? ` / ${formatDuration(track.duration)}` : ''}`,
    )
    this.#showHistory(track)
    return changed ? track : undefined
  }

  #showHistory(current: OnAirJson): void {
    if (!this.#history) return
    const before = this.timeline.before(current).slice(0, 10)
    const key = before.map((t) => `${t.position}:${t.title}`).join('\n')
    if (key === this.#historyKey) return
    this.#historyKey = key
    this.#history.replaceChildren(
      ...before.map((track) => {
        const item = document.createElement('li')
        const time = document.createElement('time')
        time.dateTime = track.startedAt
        time.textContent = clockTime(track.startedAt)
        const title = document.createElement('span')
        title.className = 'title'
        title.textContent = track.title
        item.append(time, ' ', title)
        return item
      }),
    )
  }

  /** The shown track (what the listener hears, or the live edge's). */
  get shown(): OnAirJson | undefined {
    return this.#shown
  }

  showListeners(counts: ListenerCountsJson): void {
    setText(this.#listeners, `${counts.current} listening`)
  }

  /** Marks the card as the one playing (or not), with its status line. */
  showPlayer(active: boolean, status: string): void {
    this.#section.classList.toggle('active', active)
    setText(this.#buttonText, active ? 'Stop' : 'Play')
    this.#button.setAttribute('aria-label', `${active ? 'Stop' : 'Play'} ${this.name}`)
    this.#now.setAttribute('aria-live', active ? 'polite' : 'off')
    setText(this.#state, status)
  }
}

const playerStatus = (state: PlayerState, online: boolean): string => {
  switch (state.kind) {
    case 'stopped':
      return ''
    case 'connecting':
      return state.retry ? 'Reconnecting…' : 'Connecting…'
    case 'open':
      return 'Playing'
    case 'buffering':
      return 'Buffering…'
    case 'blocked':
      return 'Press play to listen'
    case 'waiting':
      return online
        ? `Connection lost. Reconnecting in ${Math.max(1, Math.round(state.seconds))} s…`
        : 'You are offline. Reconnecting when the network is back…'
  }
}

const eventsStatus = (state: ConnectionState): string =>
  state.kind === 'waiting'
    ? `Live updates interrupted. Reconnecting in ${Math.max(1, Math.round(state.seconds))} s…`
    : state.kind === 'connecting' && state.retry
    ? 'Reconnecting live updates…'
    : ''

/**
 * Where the current stream request began in the stream, once the live edge at the request is
 * known: from a report of the same events connection (open since before the request), or from the
 * first report after it (the server may have restarted in between).
 */
interface Tuning {
  session: Session
  view: MountView
  /** Reports of the live edge that the request may rely on: those after this count. */
  reportsBefore: number
  reliable: boolean
  /** Playing the mount's HLS: what is heard is told by the date of its audio. */
  hls: boolean
  start?: number
}

const start = (): void => {
  const main = element<HTMLElement>(document, '#station')
  const base = new URL(main.dataset.base ?? './', document.baseURI)
  const audio = element<HTMLAudioElement>(main, 'audio.player')
  const connection = main.querySelector('.connection')
  const views = new Map<string, MountView>()
  for (const section of main.querySelectorAll<HTMLElement>('section[data-mount]')) {
    const view = new MountView(section)
    views.set(view.path, view)
  }
  const icon = new URL('assets/icon.svg', base).href
  let active: MountView | undefined
  let tuning: Tuning | undefined

  /** The stream position the listener hears now, on the playing mount. */
  const heard = (view: MountView): number | undefined => {
    // Not playing, or between connections: the live edge is as good a guess as any.
    if (view !== active || !tuning || tuning.view !== view || tuning.session !== player.session) {
      return view.live.at(performance.now())
    }
    if (tuning.hls) return hlsHeard(view)
    if (tuning.start === undefined) {
      const { session } = tuning
      const liveNow = view.live.at(performance.now())
      if (liveNow === undefined || (!tuning.reliable && view.live.reports <= tuning.reportsBefore)) return undefined
      tuning.start = streamStart(liveNow - (performance.now() - session.requestedAt) / 1000, view.burst, view.chunk)
    }
    return tuning.start + player.audio.currentTime
  }

  /** Where an HLS player is in the stream: from its audio's date, else a guess from its usual delay. */
  const hlsHeard = (view: MountView): number | undefined => {
    const date = (player.audio as HTMLAudioElement & { getStartDate?: () => Date }).getStartDate?.()
    const startMs = date?.getTime() ?? NaN
    if (Number.isFinite(startMs)) return view.timeline.positionAtDate(startMs + player.audio.currentTime * 1000)
    const live = view.live.at(performance.now())
    return live === undefined ? undefined : Math.max(0, live - HLS_DELAY_SEGMENTS * view.hlsSegment!)
  }

  const mediaSession = 'mediaSession' in navigator ? navigator.mediaSession : undefined
  const showMedia = (view: MountView, track: OnAirJson) => {
    if (!mediaSession || typeof MediaMetadata === 'undefined') return
    const { song, artist } = trackLines(track)
    mediaSession.metadata = new MediaMetadata({
      title: song,
      artist,
      album: track.album ?? view.name,
      artwork: [{ src: icon, sizes: 'any', type: 'image/svg+xml' }],
    })
  }

  const render = () => {
    for (const view of views.values()) {
      const changed = view.show(heard(view))
      if (changed && view === active) showMedia(view, changed)
    }
  }

  const player = new RadioPlayer(audio, {
    state: (state) => {
      for (const view of views.values()) {
        view.showPlayer(
          view === active && state.kind !== 'stopped',
          view === active ? playerStatus(state, navigator.onLine) : '',
        )
      }
      if (mediaSession) {
        mediaSession.playbackState = state.kind === 'stopped' || state.kind === 'blocked' ? 'paused' : 'playing'
      }
    },
    session: (session) => {
      if (!active) return
      tuning = {
        session,
        view: active,
        reportsBefore: active.live.reports,
        reliable: events.isOpen && active.live.reports > 0,
        hls: usingHls(active),
      }
    },
  })

  const usingHls = (view: MountView) =>
    view.hlsSegment !== undefined && prefersHls(audio.canPlayType('application/vnd.apple.mpegurl'), navigator.vendor)
  const play = (view: MountView) => {
    active = view
    player.play(new URL(usingHls(view) ? `hls${view.path}/live.m3u8` : view.path.slice(1), base).href)
    if (view.shown) showMedia(view, view.shown)
  }
  const stop = () => {
    player.stop()
    active = undefined
    render()
  }
  for (const view of views.values()) {
    view.onPress(() => (active === view && player.state.kind !== 'stopped' && player.state.kind !== 'blocked'
      ? stop()
      : play(view))
    )
  }
  if (mediaSession) {
    mediaSession.setActionHandler('play', () => play(active ?? views.values().next().value!))
    mediaSession.setActionHandler('pause', stop)
    mediaSession.setActionHandler('stop', stop)
  }

  /** The station's state, to fill in what the events stream does not send (history, the live edge). */
  const refresh = async () => {
    try {
      const response = await fetch(new URL('api/mounts', base), { cache: 'no-store' })
      const at = performance.now()
      const { mounts } = (await response.json()) as { mounts: MountJson[] }
      for (const mount of mounts) {
        const view = views.get(mount.path)
        if (!view) continue
        for (const track of [...mount.history, ...(mount.nowPlaying ? [mount.nowPlaying] : [])]) {
          view.timeline.add(track)
        }
        view.live.report(mount.position, at)
        view.showListeners(mount.listeners)
      }
      render()
    } catch {
      // the events stream reconnects, and refreshes again then
    }
  }

  const single = views.size === 1 && main.dataset.events?.startsWith('api/mounts/')
    ? views.keys().next().value
    : undefined
  const events = new StationEvents(new URL(main.dataset.events ?? 'api/events', base).href, single, {
    open: () => {
      for (const view of views.values()) {
        view.timeline.clear()
        view.live.forget()
      }
      void refresh()
      // The server answers again: a player waiting to reconnect need not wait any longer.
      player.retryNow()
    },
    track: (mount, track: TrackEventJson, receivedAt) => {
      const view = views.get(mount)
      if (!view) return
      view.timeline.add(track)
      view.live.report(track.live, receivedAt)
      render()
    },
    listeners: (mount, counts) => views.get(mount)?.showListeners(counts),
    state: (state) => connection && setText(connection, eventsStatus(state)),
  })
  events.connect()
  addEventListener('online', () => {
    events.retryNow()
    player.retryNow()
  })
  setInterval(render, 250)
}

start()
