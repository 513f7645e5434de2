import { bytesToText, oneLine, truncate } from '../../util/text.ts'
import type { SourceInfo } from '../source.ts'

/** A header's text, as sent (raw bytes, UTF-8 or Latin-1), on one line and at most 1,024 characters. */
const headerText = (value: string | undefined): string | undefined => {
  const text = value === undefined ? '' : truncate(oneLine(bytesToText(value)), 1024)
  return text || undefined
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
  const name = headerText(pick('ice-name', 'icy-name'))
  const description = headerText(pick('ice-description', 'icy-description'))
  const genre = headerText(pick('ice-genre', 'icy-genre'))
  const url = headerText(pick('ice-url', 'icy-url'))
  const pub = pick('ice-public', 'icy-pub', 'ice-private')
  const audioInfo = headerText(pick('ice-audio-info'))
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
