import type { Clock } from '../clock.ts'
import { contentTypeOf } from '../format/formats.ts'
import { isOgg } from '../format/params.ts'
import type { Track } from '../input/track.ts'
import type { Mount } from '../mount/mount.ts'
import type { OnAir } from '../mount/now-playing.ts'
import type { HlsJson, MountJson, OnAirJson, RecordingJson, TrackJson } from '../web/client/api-types.d.ts'
import { hlsOf } from './hls.ts'
import { programmeJson } from './programme-json.ts'

/** A mount's HLS as the API shows it, when it serves one. */
const hlsJson = (mount: Mount, base: string): HlsJson | null => {
  const hls = hlsOf(mount)
  if (!hls) return null
  return {
    url: `${base}/hls${mount.path}/live.m3u8`,
    segmentSeconds: hls.segmenter.segmentSeconds,
    sessions: hls.sessions.count,
    peakSessions: hls.sessions.peak,
  }
}

/** A mount's recording as the API shows it, when it records. */
const recordingJson = (mount: Mount): RecordingJson | null => {
  if (!mount.recording.enabled) return null
  const status = mount.recording.status
  return {
    file: status?.file ?? null,
    since: status?.since.toISOString() ?? null,
    bytes: status?.bytes ?? null,
    problem: mount.recording.problem ?? null,
  }
}

/** A track as the API shows it. */
const trackJson = (track: Track): TrackJson => ({
  id: track.id,
  title: track.title,
  artist: track.artist ?? null,
  song: track.song ?? null,
  album: track.album ?? null,
  duration: track.duration ?? null,
  origin: track.origin,
  role: track.role ?? null,
  slot: track.slot ?? null,
})

/** A track expected to play: no id yet (it gets one when it goes on air). */
const upcomingJson = (track: Track): Omit<TrackJson, 'id'> => {
  const { id: _id, ...rest } = trackJson(track)
  return rest
}

/**
 * A track that went on air, with when and where in the stream it began.
 *
 * @example
 * onAirJson(mount.onAir!) // { id: 7, title: 'Nina Simone - Sinnerman', …, position: 1234.5 }
 */
export const onAirJson = (onAir: OnAir): OnAirJson => ({
  ...trackJson(onAir.track),
  startedAt: onAir.startedAt.toISOString(),
  position: onAir.position,
})

/**
 * One mount as `GET /api/mounts/<name>` describes it (see the README for the schema); `listenUrl`
 * is the stream's URL under `base` (the station's public URL).
 *
 * @example
 * await mountJson(mount, systemClock, 'http://radio.example:8000')
 */
export const mountJson = async (mount: Mount, clock: Clock, base: string): Promise<MountJson> => {
  const { params, config, onAir, streamInfo } = mount
  const elapsed = onAir ? (clock.now() - onAir.since) / 1000 : null
  const duration = onAir?.track.duration
  const next = await mount.upcoming()
  return {
    path: mount.path,
    listenUrl: `${base}${mount.path}`,
    name: streamInfo.name ?? null,
    description: streamInfo.description ?? null,
    genre: streamInfo.genre ?? null,
    url: streamInfo.url ?? null,
    public: streamInfo.public,
    format: params?.format ?? null,
    contentType: params ? contentTypeOf(params.format) : null,
    bitrate: params?.bitrate ?? null,
    sampleRate: params?.sampleRate ?? null,
    channels: params?.channels ?? null,
    input: mount.input ?? null,
    fallback: config.fallbackMount ?? null,
    metaint: params && isOgg(params.format) ? null : config.metaint,
    burst: config.burst,
    startedAt: mount.startedAt.toISOString(),
    position: mount.position,
    listeners: {
      ...mount.listenerCounts(),
      slowDrops: mount.broadcaster.stats.slowDrops,
      connections: mount.broadcaster.stats.connections,
    },
    hls: hlsJson(mount, base),
    nowPlaying: onAir
      ? {
        ...onAirJson(onAir),
        elapsed,
        remaining: duration !== undefined && elapsed !== null ? Math.max(0, duration - elapsed) : null,
      }
      : null,
    next: next ? upcomingJson(next) : null,
    history: mount.history.map(onAirJson),
    programme: programmeJson(mount, clock),
    recording: recordingJson(mount),
  }
}
