/**
 * The JSON the server sends and the pages read: one definition that both compile against (the
 * server's serializers in `src/http/` are typed by it), so the two cannot drift apart. Types only:
 * nothing here runs in the browser.
 */

/** What a mount plays from: its playlist (the AutoDJ), a relay, or a live source. */
export type InputName = 'playlist' | 'live' | 'relay'

/** A track as the API describes it. */
export interface TrackJson {
  id: number
  title: string
  artist: string | null
  song: string | null
  album: string | null
  /** Seconds, when known. */
  duration: number | null
  origin: InputName
  /** Why the AutoDJ played it, when not for its rotation. */
  role: 'jingle' | 'request' | null
  /** The slot of the schedule it played in; null for the default rotation (or a live source, a relay). */
  slot: string | null
}

/** A track that went on air: when, and where in the stream it begins. */
export interface OnAirJson extends TrackJson {
  /** ISO 8601. */
  startedAt: string
  /** Stream position (seconds) where the track begins. */
  position: number
}

/** The track on air now, with how far it has played. */
export interface NowPlayingJson extends OnAirJson {
  elapsed: number | null
  remaining: number | null
}

/** Listener counts: connections now, the most at once, distinct address + user agent pairs now. */
export interface ListenerCountsJson {
  current: number
  peak: number
  unique: number
}

/** One mount, as `GET /api/mounts/<name>` describes it (`GET /api/mounts` lists them all). */
/** A mount's HLS: where its playlist is, how long its segments are, and its listeners, counted as sessions. */
export interface HlsJson {
  /** The live playlist (`/hls/<mount>/live.m3u8`). */
  url: string
  segmentSeconds: number
  /** Sessions that asked for the playlist within the last two segment lengths. */
  sessions: number
  /** Most sessions at once since start. */
  peakSessions: number
}

export interface MountJson {
  path: string
  /** Where players tune in. */
  listenUrl: string
  name: string | null
  description: string | null
  genre: string | null
  url: string | null
  public: boolean
  format: 'mp3' | 'aac' | 'opus' | 'vorbis' | 'flac' | null
  contentType: string | null
  bitrate: number | null
  sampleRate: number | null
  channels: number | null
  /** null: off air. */
  input: InputName | null
  fallback: string | null
  /** ICY titles every `metaint` bytes; null on an Ogg mount, whose titles are in its stream. */
  metaint: number | null
  burst: number
  startedAt: string
  /** Stream position (seconds) of the live edge. */
  position: number
  listeners: ListenerCountsJson & { slowDrops: number; connections: number }
  /** Its HTTP Live Streaming face; null when HLS is off or the stream is Ogg. */
  hls: HlsJson | null
  nowPlaying: NowPlayingJson | null
  /** The track the playlist is expected to play next (no id yet). */
  next: Omit<TrackJson, 'id'> | null
  history: OnAirJson[]
  /** The AutoDJ's programme; null for a mount without a playlist. */
  programme: ProgrammeJson | null
  /** Its recording to files; null when the mount does not record. */
  recording: RecordingJson | null
}

/** A mount's recording: the file being written (all null between files: off air, or live-only with no DJ). */
export interface RecordingJson {
  /** Its path below the recordings' folder. */
  file: string | null
  /** ISO 8601: when it was opened. */
  since: string | null
  /** Bytes written so far. */
  bytes: number | null
  /** What went wrong with the last file (and when recording tries again), until a file is recorded again. */
  problem: string | null
}

/** A slot of the schedule as it falls today. */
export interface SlotJson {
  name: string
  /** Local times, `HH:MM` (`to` may be `24:00`: it runs past midnight). */
  from: string
  to: string
  /** It cuts the track playing when it opens and closes. */
  cutIn: boolean
  /** It is the slot on air now. */
  onAir: boolean
}

/** A request waiting to play. */
export interface RequestJson {
  id: number
  title: string
  /** ISO 8601. */
  queuedAt: string
}

/** What a mount's AutoDJ plays: the slot on air, today's schedule, the jingles' rule, the requests. */
export interface ProgrammeJson {
  /** The IANA time zone the schedule is read in. */
  timeZone: string
  /** The slot open now by the clock; null: none (the default rotation). */
  slot: string | null
  today: SlotJson[]
  jingles: { everyTracks: number | null; everyMinutes: number | null; topOfHour: boolean; showTitles: boolean } | null
  /** Next first. */
  requests: RequestJson[]
}

/** A `track` event of the event streams: the track, and the live edge when it was sent (`mount` on `/api/events`). */
export type TrackEventJson = OnAirJson & { live: number; mount?: string }

/** A `listeners` event of the event streams (`mount` on `/api/events`). */
export type ListenersEventJson = ListenerCountsJson & { mount?: string }

/** A mount's listener history, for the dashboard's chart. */
export interface SeriesJson {
  /** Wall-clock time (ms) at which the first point's interval begins. */
  start: number
  /** Seconds each point covers. */
  step: number
  /** Wall-clock time (ms) the series was read: the last point covers up to here. */
  now: number
  /** Most listeners at once within each point's interval. */
  peak: number[]
  /** Fewest listeners at once within each point's interval. */
  low: number[]
}

/** A listener as the dashboard lists it. */
export interface ListenerJson {
  id: number
  address: string
  userAgent: string
  /** The user it logged in as, on a mount that asks listeners to log in. */
  user?: string
  /** Seconds connected. */
  connected: number
  /** Bytes sent. */
  bytes: number
}

/** One mount's panel on the dashboard. */
export interface MountStateJson {
  path: string
  name: string | null
  /** null: off air. */
  input: InputName | null
  /** While off air: the mount its listeners hear (its fallback's), if any. */
  serving: string | null
  stream: string
  hasPlaylist: boolean
  source: {
    kind: 'live' | 'relay'
    origin: string
    userAgent: string
    name: string | null
    connectedAt: string
    /** Seconds connected. */
    connected: number
  } | null
  nowPlaying: (OnAirJson & { elapsed: number }) | null
  next: string | null
  programme: ProgrammeJson | null
  listeners: ListenerCountsJson & { matching: number; list: ListenerJson[] }
  /** HLS sessions now; null when the mount serves no HLS. */
  hlsSessions: number | null
  history: SeriesJson
}

/** What `GET /admin/dashboard.json` answers. */
export interface DashboardJson {
  station: string | null
  filter: string
  range: number
  ranges: readonly number[]
  listenerLimit: number
  mounts: MountStateJson[]
}

/** What the admin API's commands answer, in their `.json` form. */
export interface AdminReplyJson {
  iceresponse?: { message: string; return: number }
}
