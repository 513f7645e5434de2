/**
 * What the page knows about each mount and how it tells what the listener hears, and how times, sizes
 * and inputs are written. No DOM here, so the rules are specified by unit tests (`test/web/client/timeline.test.ts`).
 */
import type { OnAirJson } from './api-types.d.ts'

/** How many tracks a timeline keeps (the API's history holds 10 before the current one). */
const KEEP = 12

/** Tolerance (seconds) when comparing stream positions: a frame or so. */
const EPSILON = 0.05

/**
 * A mount's tracks in stream order. Given the stream position a listener hears, it tells which
 * track that is, so a page shows the title of what its audio plays, not of the live edge (which is
 * a burst ahead).
 *
 * @example
 * timeline.add(track)            // from an event or the API
 * timeline.at(p0 + audio.currentTime)
 */
export class Timeline {
  #tracks: OnAirJson[] = []

  /** Adds a track (again: replaces it). */
  add(track: OnAirJson): void {
    const others = this.#tracks.filter((t) => Math.abs(t.position - track.position) > EPSILON)
    this.#tracks = [...others, track].sort((a, b) => a.position - b.position).slice(-KEEP)
  }

  /** Forgets every track (the server restarted: positions begin again from 0). */
  clear(): void {
    this.#tracks = []
  }

  /** The most recent track to go on air. */
  get latest(): OnAirJson | undefined {
    return this.#tracks.at(-1)
  }

  /** The track heard at stream position `position`: the last to begin at or before it (else the earliest known). */
  at(position: number): OnAirJson | undefined {
    let found = this.#tracks[0]
    for (const track of this.#tracks) if (track.position <= position + EPSILON) found = track
    return found
  }

  /**
   * The stream position of wall-clock time `ms` (since the epoch), from when the track playing then
   * went on air: for an HLS player, whose audio is dated (`EXT-X-PROGRAM-DATE-TIME`) rather than
   * counted from its request.
   */
  positionAtDate(ms: number): number | undefined {
    let found: OnAirJson | undefined
    for (const track of this.#tracks) if (Date.parse(track.startedAt) <= ms) found = track
    found ??= this.#tracks[0]
    return found && Math.max(found.position, found.position + (ms - Date.parse(found.startedAt)) / 1000)
  }

  /** The tracks before `track`, most recent first. */
  before(track: OnAirJson): OnAirJson[] {
    return this.#tracks.filter((t) => t.position < track.position - EPSILON).reverse()
  }
}

/**
 * The live edge of a mount's stream, extrapolated from the last report of it (`live` in a track
 * event, `position` in the API) at the stream's real-time rate.
 */
export class LiveEdge {
  #live: number | undefined
  #at = 0
  /** Counts reports, so a listener can tell whether one came after its request. */
  #reports = 0

  /** The edge was at `live` seconds at time `at` (ms, `performance.now()`). */
  report(live: number, at: number): void {
    this.#live = live
    this.#at = at
    this.#reports++
  }

  forget(): void {
    this.#live = undefined
  }

  get reports(): number {
    return this.#reports
  }

  /** The edge at time `now` (ms), if known. */
  at(now: number): number | undefined {
    return this.#live === undefined ? undefined : this.#live + (now - this.#at) / 1000
  }
}

/**
 * Where in the stream a listener's audio began, i.e. the stream position at its `currentTime` 0.
 * It asked when the live edge was at `liveAtRequest` (extrapolated smoothly, while the server's
 * edge moves a chunk at a time, so it is up to one chunk ahead of it) and was sent the burst: whole
 * chunks, from `burst` seconds up to a chunk more. Both unknown phases average half a chunk, hence
 * one chunk's correction; the estimate is then within a chunk either way (0 early on, when less
 * than a burst has been broadcast).
 */
export const streamStart = (liveAtRequest: number, burst: number, chunk: number): number =>
  Math.max(0, liveAtRequest - burst - chunk)

/**
 * Whether the page plays a mount's HLS rather than its continuous stream: where the browser plays
 * HLS itself (`canPlayType` of its playlist type) and is Apple's (Safari, and every browser on iOS):
 * there HLS rides out moving networks and a locked screen. Elsewhere the continuous stream, which
 * is seconds closer to live and plays in every browser.
 *
 * @example
 * prefersHls(audio.canPlayType('application/vnd.apple.mpegurl'), navigator.vendor) // 'maybe', 'Apple Computer, Inc.' -> true
 */
export const prefersHls = (canPlay: string, vendor: string): boolean => canPlay !== '' && vendor.startsWith('Apple')

/**
 * How far behind the live edge an HLS player listens, in segments: players start three segments
 * from the playlist's end, which is itself up to a segment behind the stream.
 */
export const HLS_DELAY_SEGMENTS = 3.5

/**
 * Seconds to wait before reconnection attempt `attempt` (1, 2, …): 1, 2, 4, 8, 16, then 30, each
 * with ±25 % jitter so listeners of a restarted server do not all return at the same instant.
 */
export const backoffSeconds = (attempt: number, random: () => number = Math.random): number =>
  Math.min(30, 2 ** Math.max(0, attempt - 1)) * (0.75 + 0.5 * random())

/** `m:ss`, or `h:mm:ss` past an hour. */
export const formatDuration = (seconds: number): string => {
  const s = Math.max(0, Math.floor(seconds))
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60]
  return `${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(r).padStart(2, '0')}`
}

/** What a mount's input (`input` in the admin API: playlist, live, relay or off-air) is called on the pages. */
export const INPUT_LABELS: Readonly<Record<string, string>> = {
  playlist: 'Playlist',
  live: 'Live',
  relay: 'Relay',
  'off-air': 'Off air',
}

/** A byte count for people: `812 B`, `1.5 KB`, `23 MB`, `1.2 GB` (powers of 1000, as file managers show them). */
export const formatBytes = (bytes: number): string => {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = Math.max(0, bytes)
  let unit = 0
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${unit === 0 || value >= 9.95 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`
}

/** The two lines a page shows for a track: the song (or the whole title) and the artist. */
export const trackLines = (
  track: { title: string; artist?: string | null; song?: string | null },
): { song: string; artist: string } =>
  track.artist && track.song ? { song: track.song, artist: track.artist } : { song: track.title, artist: '' }
