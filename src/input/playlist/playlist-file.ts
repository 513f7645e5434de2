import { decodeText } from '../../util/text.ts'

/** One entry of a playlist file, as written (a path or a URL), with its title if the file gave one. */
export interface PlaylistEntry {
  readonly location: string
  readonly title?: string
}

/**
 * Parses an M3U or extended M3U (`.m3u`, `.m3u8`) playlist. Text is read as UTF-8, falling back to
 * Latin-1 for old `.m3u` files.
 *
 * @example
 * parseM3u(bytes) // [{ location: 'music/a.mp3', title: 'Artist - A' }]
 */
export const parseM3u = (bytes: Uint8Array): PlaylistEntry[] => {
  const entries: PlaylistEntry[] = []
  let title: string | undefined
  for (const raw of decodeText(bytes).split(/\r?\n|\r/)) {
    const line = raw.trim()
    if (line === '') continue
    if (line.startsWith('#')) {
      const extinf = /^#EXTINF:[^,]*,(.*)$/.exec(line)
      if (extinf) title = extinf[1]!.trim() || undefined
      continue
    }
    entries.push(title ? { location: line, title } : { location: line })
    title = undefined
  }
  return entries
}

/**
 * Parses a PLS playlist (`[playlist]`, `File1=`, `Title1=` …), ordered by entry number.
 *
 * @example
 * parsePls(bytes) // [{ location: 'a.mp3', title: 'A' }]
 */
export const parsePls = (bytes: Uint8Array): PlaylistEntry[] => {
  const files = new Map<number, string>()
  const titles = new Map<number, string>()
  for (const raw of decodeText(bytes).split(/\r?\n|\r/)) {
    const match = /^\s*(File|Title)(\d+)\s*=\s*(.*?)\s*$/i.exec(raw)
    if (!match) continue
    const index = Number(match[2])
    ;(match[1]!.toLowerCase() === 'file' ? files : titles).set(index, match[3]!)
  }
  return [...files.keys()]
    .sort((a, b) => a - b)
    .map((index) => {
      const title = titles.get(index)
      return title ? { location: files.get(index)!, title } : { location: files.get(index)! }
    })
}

/**
 * Tells which playlist syntax a path uses, by its extension.
 *
 * @example
 * playlistKind('party.m3u8') // 'm3u'
 */
export const playlistKind = (path: string): 'm3u' | 'pls' | undefined => {
  const lower = path.toLowerCase()
  if (lower.endsWith('.m3u') || lower.endsWith('.m3u8')) return 'm3u'
  if (lower.endsWith('.pls')) return 'pls'
  return undefined
}
