import { MIME_TYPES } from '../format/format.ts'
import type { Mount } from '../mount/mount.ts'

/** CORS headers web players need (icecast-metadata-js's list); set once, never duplicated. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Icy-Metadata, Range',
  'Access-Control-Expose-Headers': 'Icy-MetaInt, Icy-Br, Icy-Description, Icy-Genre, Icy-Name, Ice-Audio-Info, Icy-Url, Icy-Sr, Icy-Pub',
}

/**
 * Makes a header value of any text: control characters dropped, and UTF-8 sent as its bytes (fetch
 * headers are byte strings), which is how Icecast sends names and how players read them.
 *
 * @example
 * headerValue('Radio Ωmega\n') // 'Radio \xCE\xA9mega'
 */
export const headerValue = (text: string): string => {
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  return String.fromCharCode(...new TextEncoder().encode(clean))
}

/**
 * The response headers of a mount's stream: content type, the icy-* and ice-audio-info headers
 * players show (the mount's config, completed by its live source's), no caching, and CORS. `mount`
 * is the mount whose audio the listener hears (see `Mount.serving`); it must have a stream.
 *
 * @example
 * new Response(listener.stream, { headers: streamHeaders(mount) })
 */
export const streamHeaders = (mount: Mount, serverName: string): Headers => {
  const params = mount.params
  if (!params) throw new Error(`${mount.path} has no stream yet`)
  const info = mount.streamInfo
  const headers = new Headers({
    'Content-Type': MIME_TYPES[params.format],
    'Cache-Control': 'no-cache, no-store',
    Pragma: 'no-cache',
    Expires: 'Mon, 26 Jul 1997 05:00:00 GMT',
    'X-Content-Type-Options': 'nosniff',
    Server: serverName,
    'icy-br': String(params.bitrate),
    'icy-sr': String(params.sampleRate),
    'icy-pub': info.public ? '1' : '0',
    'ice-audio-info': `samplerate=${params.sampleRate};channels=${params.channels};bitrate=${params.bitrate}`,
    ...CORS_HEADERS,
  })
  const icy = { 'icy-name': info.name, 'icy-description': info.description, 'icy-genre': info.genre, 'icy-url': info.url }
  for (const [name, value] of Object.entries(icy)) if (value) headers.set(name, headerValue(value))
  return headers
}
