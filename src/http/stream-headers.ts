import { contentTypeOf } from '../format/formats.ts'
import type { StreamShape } from '../format/params.ts'
import type { Mount } from '../mount/mount.ts'
import { oneLine } from '../util/text.ts'

/**
 * Makes a header value of any text: control characters dropped, and UTF-8 sent as its bytes (fetch
 * headers are byte strings), which is how Icecast sends names and how players read them.
 *
 * @example
 * headerValue('Radio Ωmega\n') // 'Radio \xCE\xA9mega'
 */
const headerValue = (text: string): string => String.fromCharCode(...new TextEncoder().encode(oneLine(text)))

/**
 * The `ice-audio-info` value of a stream (also `audio_info` in Icecast's status).
 *
 * @example
 * audioInfo({ format: 'mp3', sampleRate: 44100, channels: 2, bitrate: 128 }) // 'samplerate=44100;channels=2;bitrate=128'
 */
export const audioInfo = (params: StreamShape): string =>
  `samplerate=${params.sampleRate};channels=${params.channels};bitrate=${params.bitrate}`

/**
 * The response headers of a mount's stream: content type, the icy-* and ice-audio-info headers
 * players show (the mount's config, completed by its live source's) and no caching. `mount` is the
 * mount whose audio the listener hears (see `ListenerRouting.serving`); it must have a stream.
 *
 * @example
 * new Response(listener.stream, { headers: streamHeaders(mount) })
 */
export const streamHeaders = (mount: Mount, serverName: string): Headers => {
  const params = mount.params
  if (!params) throw new Error(`${mount.path} has no stream yet`)
  const info = mount.streamInfo
  const headers = new Headers({
    'Content-Type': contentTypeOf(params.format),
    'Cache-Control': 'no-cache, no-store',
    Pragma: 'no-cache',
    Expires: 'Mon, 26 Jul 1997 05:00:00 GMT',
    'X-Content-Type-Options': 'nosniff',
    Server: serverName,
    'icy-br': String(params.bitrate),
    'icy-sr': String(params.sampleRate),
    'icy-pub': info.public ? '1' : '0',
    'ice-audio-info': audioInfo(params),
  })
  // Always an icy-name (the mount's path for a nameless stream): that is what makes VLC 3 reopen the
  // URL with its ICY-capable HTTP module and show titles, as it does for Icecast.
  const icy = {
    'icy-name': info.name ?? mount.path,
    'icy-description': info.description,
    'icy-genre': info.genre,
    'icy-url': info.url,
  }
  for (const [name, value] of Object.entries(icy)) if (value) headers.set(name, headerValue(value))
  return headers
}
