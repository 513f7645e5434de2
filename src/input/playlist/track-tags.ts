import { parseFile } from 'music-metadata'
import { oneLine } from '../../util/text.ts'
import type { TrackTags } from '../track.ts'

const clean = (
  text: string | undefined,
): string | undefined => (text === undefined ? undefined : oneLine(text) || undefined)

/**
 * Reads a file's artist, title and album (ID3v1/v2, APE, and whatever else music-metadata knows)
 * and its duration. Never throws: a file without readable tags simply has none.
 *
 * @example
 * await readTrackTags('/music/01.mp3') // { artist: 'Nina Simone', song: 'Sinnerman', album: 'Pastel Blues', duration: 622.1 }
 */
export const readTrackTags = async (path: string): Promise<TrackTags> => {
  try {
    const { common, format } = await parseFile(path, { skipCovers: true })
    const tags: { -readonly [K in keyof TrackTags]: TrackTags[K] } = {}
    const artist = clean(common.artist ?? common.albumartist)
    const song = clean(common.title)
    const album = clean(common.album)
    if (artist) tags.artist = artist
    if (song) tags.song = song
    if (album) tags.album = album
    if (format.duration && Number.isFinite(format.duration)) tags.duration = format.duration
    return tags
  } catch {
    return {}
  }
}
