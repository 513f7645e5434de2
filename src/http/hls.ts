import type { Context } from 'hono'
import { formatLabel } from '../format/params.ts'
import type { HlsStream } from '../hls/hls-stream.ts'
import { servedHls } from '../hls/hls-stream.ts'
import { SEGMENT_FORMATS } from '../hls/segment.ts'
import type { Mount } from '../mount/mount.ts'
import type { ConnectionHooks } from '../runtime/hooks.ts'
import { clientAddress } from '../util/address.ts'

/** How long a cache may keep a segment: its name is never used again, so it never changes. */
const SEGMENT_MAX_AGE = 3600

const text = (body: string, status: number, headers: Record<string, string> = {}) =>
  new Response(`${body}\n`, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  })

/** The headers of what never changes under its name: a segment, an init segment. */
const immutable = (length: number) => ({
  'Content-Length': String(length),
  'Cache-Control': `public, max-age=${SEGMENT_MAX_AGE}, immutable`,
})

/** A session id a player may put in the playlist's URL (`live.m3u8?session=…`): 8 to 64 URL-safe characters. */
const SESSION = /^[A-Za-z0-9_-]{8,64}$/

/** Loopback: a cache on the same machine, whose `X-Forwarded-For` names the real client. */
const LOOPBACK = /^(127\.|::1$)/

/**
 * Who asks for a playlist, to count HLS sessions: the `session` parameter of the playlist URL, else
 * the client's address and user agent (the address `X-Forwarded-For` names when a cache on this
 * machine asks on a client's behalf).
 */
const sessionKey = (c: Context, hooks: ConnectionHooks): string => {
  const session = c.req.query('session')
  if (session && SESSION.test(session)) return `s:${session}`
  let address = clientAddress(hooks.clientAddress(c))
  // The entry the nearest proxy wrote: the last (one a client sent itself would come before it).
  const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim()
  if (forwarded && LOOPBACK.test(address)) address = clientAddress(forwarded)
  return `a:${address}|${c.req.header('user-agent') ?? ''}`
}

/**
 * A mount's HLS face, when it serves one: HLS is on in its config and its stream is MP3 or AAC (or
 * not yet known, for a live-only mount before its first source).
 *
 * @example
 * hlsOf(mount)?.sessions.count // HLS listeners now
 */
export const hlsOf = (mount: Mount): HlsStream | undefined => servedHls(mount.hls, mount.params?.format)

/** Why a mount has no HLS, for whoever asked. */
const noHls = (mount: Mount, hls: HlsStream | undefined): Response | undefined => {
  if (!hls) return text(`HLS is off for ${mount.path} (its config sets "hls": false).`, 404)
  const format = mount.params?.format
  if (format && !(format in SEGMENT_FORMATS)) {
    return text(`HLS carries MP3, AAC and Opus mounts; ${mount.path} is ${formatLabel(format)}.`, 404)
  }
  return undefined
}

/**
 * Answers `GET /hls/<mount>/<file>`: the live playlist (`live.m3u8`: a short `max-age`, at most
 * half a segment, with an `ETag` a cache revalidates with, `304` when unchanged) or a segment
 * (cacheable for an hour and `immutable`: its name is never reused; `410` once dropped from the
 * window, `404` if never made). Each playlist request counts its session.
 *
 * @example
 * app.get('/hls/:file{.+}', cors, (c) => hlsResponse(c, station.mount(path), file, hooks))
 */
export const hlsResponse = (c: Context, mount: Mount, file: string, hooks: ConnectionHooks): Response => {
  const hls = mount.hls
  const refused = noHls(mount, hls)
  if (refused || !hls) return refused!
  if (file === 'live.m3u8') {
    hls.sessions.seen(sessionKey(c, hooks))
    hls.stats.playlists++
    const playlist = hls.playlist()
    if (!playlist) {
      return text(
        `HLS of ${mount.path} starts once its first segment is complete (up to ${hls.segmenter.segmentSeconds} s of audio).`,
        503,
        { 'Retry-After': String(Math.ceil(hls.segmenter.segmentSeconds)) },
      )
    }
    const maxAge = Math.floor(hls.segmenter.segmentSeconds / 2)
    const headers = {
      'Content-Type': 'application/vnd.apple.mpegurl',
      'Cache-Control': maxAge > 0 ? `public, max-age=${maxAge}` : 'public, no-cache',
      ETag: playlist.etag,
    }
    return unchanged(c, playlist.etag)
      ? new Response(null, { status: 304, headers })
      : new Response(playlist.body, { headers })
  }
  const lookup = /-init-\d+\.mp4$/.test(file) ? hls.init(file) : hls.segment(file)
  if (!lookup.found) {
    return lookup.status === 410
      ? text(`Segment ${file} of ${mount.path} has left the live window.`, 410, {
        'Cache-Control': 'public, max-age=60',
      })
      : text(`No segment ${file} on ${mount.path}.`, 404)
  }
  const [data, type] = 'segment' in lookup
    ? [lookup.segment.data, SEGMENT_FORMATS[lookup.segment.format].contentType]
    : [lookup.data, 'audio/mp4']
  const headers = { ...immutable(data.length), 'Content-Type': type, ETag: `"${file}"` }
  if (unchanged(c, headers.ETag)) return new Response(null, { status: 304, headers })
  if (c.req.method === 'GET' && 'segment' in lookup) {
    hls.stats.segments++
    hls.stats.segmentBytes += data.length
  }
  return new Response(data, { headers })
}

/** Whether the client has `etag` already (`If-None-Match`, weak comparison, `*` for any). */
const unchanged = (c: Context, etag: string): boolean =>
  c.req.header('if-none-match')?.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '')
    return candidate === '*' || candidate === etag
  }) ?? false
