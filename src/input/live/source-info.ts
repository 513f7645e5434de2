import type { AudioFormat, StreamParams } from '../../format/format.ts'
import type { FeedKind, FrameFeed } from './feed.ts'

/** What a source client (or a relay's upstream) says about its stream, from its ice-* / icy-* headers. */
export interface SourceInfo {
  name?: string
  description?: string
  genre?: string
  url?: string
  public?: boolean
  /** Declared bitrate, kbit/s. */
  bitrate?: number
  /** Declared `ice-audio-info` (e.g. `samplerate=44100;channels=2;bitrate=128`), as sent. */
  audioInfo?: string
}

/** A live source client or a relay connection feeding a mount. */
export interface SourceConnection {
  readonly kind: FeedKind
  readonly feed: FrameFeed
  readonly format: AudioFormat
  readonly info: SourceInfo
  /** Where it comes from: the client's address, or the relay's URL. */
  readonly origin: string
  readonly userAgent: string
  /** Wall-clock time it connected. */
  readonly connectedAt: Date
  /** Its stream's parameters, known from its first frame. */
  readonly params: (StreamParams & { bitrate: number }) | undefined
  /** Sets the title from its next frame on (after what it already sent), as a new track. */
  setTitle(title: string): void
  /** Disconnects it; what it queued is dropped. */
  close(reason: string): void
}

const headerText = (value: string | undefined): string | undefined => {
  const text = value?.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  return text ? text.slice(0, 1024) : undefined
}

/** Reads a header value sent as raw bytes (Latin-1 in a JS string) as UTF-8 when it is valid UTF-8. */
export const decodeHeaderText = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined
  if (!/[\u0080-\u00ff]/.test(value) || /[^\u0000-\u00ff]/.test(value)) return headerText(value)
  try {
    return headerText(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(value, (c) => c.charCodeAt(0))))
  } catch {
    return headerText(value)
  }
}

/** Reads one `key=value` number out of an `ice-audio-info` value, accepting `ice-` prefixed keys (BUTT, libshout). */
export const audioInfoValue = (audioInfo: string | undefined, key: string): number | undefined => {
  for (const part of (audioInfo ?? '').split(/[;&]/)) {
    const [name, value] = part.split('=')
    if (name?.trim().toLowerCase().replace(/^ice-/, '') === key) {
      const number = Number(value)
      if (value !== undefined && value.trim() !== '' && Number.isFinite(number)) return number
    }
  }
  return undefined
}

/**
 * Reads stream information from request headers of a source client (`ice-name`, `ice-description`,
 * `ice-genre`, `ice-url`, `ice-public`, `ice-bitrate`, `ice-audio-info`) or from a relayed server's
 * response (`icy-name`, `icy-genre`, `icy-url`, `icy-pub`, `icy-br`, `icy-description`).
 *
 * @example
 * sourceInfoFrom((name) => headers.get(name)) // { name: 'DJ Night', bitrate: 128, public: false }
 */
export const sourceInfoFrom = (header: (name: string) => string | undefined): SourceInfo => {
  const pick = (...names: string[]) => names.map((n) => header(n)).find((v) => v !== undefined)
  const info: SourceInfo = {}
  const name = decodeHeaderText(pick('ice-name', 'icy-name'))
  const description = decodeHeaderText(pick('ice-description', 'icy-description'))
  const genre = decodeHeaderText(pick('ice-genre', 'icy-genre'))
  const url = decodeHeaderText(pick('ice-url', 'icy-url'))
  const pub = pick('ice-public', 'icy-pub', 'ice-private')
  const audioInfo = decodeHeaderText(pick('ice-audio-info'))
  const bitrate = Number(pick('ice-bitrate', 'icy-br')?.split(',')[0]) || audioInfoValue(audioInfo, 'bitrate')
  if (name) info.name = name
  if (description) info.description = description
  if (genre) info.genre = genre
  if (url) info.url = url
  if (pub !== undefined) info.public = header('ice-private') !== undefined ? pub.trim() === '0' : pub.trim() === '1'
  if (bitrate && bitrate > 0) info.bitrate = bitrate
  if (audioInfo) info.audioInfo = audioInfo
  return info
}
