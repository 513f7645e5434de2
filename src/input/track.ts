import type { Frame } from '../format/frame.ts'

/** The inputs that arrive over a connection, highest priority first: a live source client, a relay's upstream. */
export type SourceKind = 'live' | 'relay'

/** What a mount plays from, and so where a track's audio comes from: its playlist (the AutoDJ), a relay, a live source. */
export type InputKind = 'playlist' | SourceKind

/** A piece of programme: one file of the playlist, or one live or relayed session. */
export interface Track {
  /** Unique per station run, increasing. */
  readonly id: number
  readonly origin: InputKind
  /** The file played, for playlist tracks. */
  readonly path?: string
  /** What listeners see: "Artist - Title" from the tags, or a cleaned file name. */
  readonly title: string
  readonly artist?: string
  /** The title tag alone. */
  readonly song?: string
  readonly album?: string
  /** Seconds, when known. */
  readonly duration?: number
  /** Why the AutoDJ played it, when not for its rotation: a jingle, or a request. */
  readonly role?: 'jingle' | 'request'
  /** The slot of the schedule it was played in (none: the default rotation). */
  readonly slot?: string
  /** A jingle whose title is not shown: it carries the title of the track before, and is not told as a new track. */
  readonly hidden?: boolean
}

/** What tags (or a live source) tell about a track. */
export type TrackTags = Pick<Track, 'artist' | 'song' | 'album' | 'duration'>

/**
 * The title players show: "Artist - Song" when both are known, else whichever is, else `fallback`.
 *
 * @example
 * displayTitle({ artist: 'Nina Simone', song: 'Sinnerman' }, 'x') // 'Nina Simone - Sinnerman'
 */
export const displayTitle = (tags: TrackTags, fallback: string): string =>
  tags.artist && tags.song ? `${tags.artist} - ${tags.song}` : (tags.song ?? fallback)

/** A frame together with the track it belongs to. */
export interface SourceFrame {
  readonly frame: Frame
  readonly track: Track
}

let lastTrackId = 0

/**
 * Allocates the next track id (unique per station run, increasing).
 *
 * @example
 * const track: Track = { id: nextTrackId(), origin: 'live', title: 'DJ Night' }
 */
export const nextTrackId = (): number => ++lastTrackId

/**
 * Makes a readable title from a file name: no folder, no extension, no leading track number,
 * underscores as spaces.
 *
 * @example
 * titleFromPath('/music/03_-_Blue_Monday.mp3') // 'Blue Monday'
 */
export const titleFromPath = (path: string): string => {
  const base = path.split(/[\\/]/).pop() ?? path
  const stem = base.replace(/\.[^.]+$/, '')
  const spaced = stem.replace(/_/g, ' ').replace(/\s+/g, ' ').trim()
  const unnumbered = spaced.replace(/^(?:\d{1,2}-)?(?:\d{1,3}\s*[.)\-–]\s*|0\d{1,2}\s+)(?=\S)/, '').trim()
  return unnumbered || spaced || base
}
