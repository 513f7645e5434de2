import { contentTypeOf } from '../format/formats.ts'
import type { StreamShape } from '../format/params.ts'
import { formatLabel, isOgg } from '../format/params.ts'
import type { Mount } from '../mount/mount.ts'
import type { Station } from '../station/station.ts'
import { iso8601, rfc822 } from './dates.ts'
import { hlsOf } from './hls.ts'
import { audioInfo } from './stream-headers.ts'

/**
 * What Icecast lists of a stream's audio and title. An Ogg mount as Icecast 2.4.4 lists a Vorbis
 * one: `subtype`, the audio in `audio_*` and `ice-bitrate` (no `audio_info`, `bitrate`, `channels`,
 * `samplerate`), `artist` and `title` apart (from the comment header). Icecast lists an Opus mount
 * with fewer keys (no titles, no `audio_*`); airwave lists every Ogg mount as Vorbis, a superset of
 * those keys, of the same types.
 */
const audioKeys = (mount: Mount, params: StreamShape) => {
  const track = mount.onAir?.track
  if (!isOgg(params.format)) {
    return {
      audio_info: audioInfo(params),
      bitrate: params.bitrate,
      channels: params.channels,
      samplerate: params.sampleRate,
      title: track?.title ?? '',
    }
  }
  return {
    ...(track?.artist && { artist: track.artist }),
    audio_bitrate: params.bitrate * 1000,
    audio_channels: params.channels,
    audio_samplerate: params.sampleRate,
    'ice-bitrate': params.bitrate,
    subtype: formatLabel(params.format),
    title: track?.song ?? track?.title ?? '',
  }
}

/**
 * Beyond Icecast, for a mount that serves HLS: its HLS listeners (sessions), apart from `listeners`,
 * which stays what Icecast counts (connections to the stream), and its playlist's URL.
 */
const hlsKeys = (mount: Mount, base: string) => {
  const hls = hlsOf(mount)
  return hls ? { hls_listeners: hls.sessions.count, hls_listenurl: `${base}/hls${mount.path}/live.m3u8` } : {}
}

/** One mount, its keys in Icecast's order: alphabetical, `dummy` last. */
const source = (mount: Mount, params: StreamShape, base: string) => {
  const keys = {
    ...audioKeys(mount, params),
    genre: mount.streamInfo.genre ?? 'various',
    ...hlsKeys(mount, base),
    listener_peak: mount.broadcaster.stats.peak,
    listeners: mount.broadcaster.size,
    listenurl: `${base}${mount.path}`,
    server_description: mount.streamInfo.description ?? 'Unspecified description',
    server_name: mount.streamInfo.name ?? 'Unspecified name',
    server_type: contentTypeOf(params.format),
    server_url: mount.streamInfo.url ?? '',
    stream_start: rfc822(mount.startedAt),
    stream_start_iso8601: iso8601(mount.startedAt),
  }
  return { ...Object.fromEntries(Object.entries(keys).sort(([a], [b]) => (a < b ? -1 : 1))), dummy: null }
}

/**
 * Icecast 2.4's `/status-json.xsl`, key for key: `icestats.source` is an object for one mount and
 * an array for several, as directory and monitoring tools expect.
 *
 * @example
 * app.get('/status-json.xsl', (c) => c.json(icecastStatus(station, 'http://radio.example:8000', 'airwave 0.1.0')))
 */
export const icecastStatus = (station: Station, base: string, serverId: string) => {
  // As Icecast, only mounts with a source: a live-only or relay-only mount off air is not listed.
  const sources = [...station.mounts.values()].flatMap((
    mount,
  ) => (mount.isOnAir && mount.params ? [source(mount, mount.params, base)] : []))
  return {
    icestats: {
      admin: station.config.contact,
      host: new URL(base).hostname,
      location: station.config.location,
      server_id: serverId,
      server_start: rfc822(station.startedAt),
      server_start_iso8601: iso8601(station.startedAt),
      source: sources.length === 1 ? sources[0] : sources,
    },
  }
}
