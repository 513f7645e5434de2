import { parseFromTokenizer } from 'music-metadata'
import { fromFile } from 'strtok3'
import { oneLine } from '../../util/text.ts'
import type { TrackTags } from '../track.ts'
import { checkRegularFile } from './regular-file.ts'

/** Parses a file's tags, opened by strtok3 without blocking and refused if it is not a regular file. */
const parseRegularFile = async (path: string) => {
  const tokenizer = await fromFile(path, { regularFileOnly: true })
  try {
    return await parseFromTokenizer(tokenizer, { skipCovers: true })
  } finally {
    await tokenizer.close()
  }
}

const clean = (
  text: string | undefined,
): string | undefined => (text === undefined ? undefined : oneLine(text) || undefined)

/**
 * Reads a file's artist, title and album (ID3v1/v2, APE, and whatever else music-metadata knows)
 * and its duration. Never throws: a file without readable tags simply has none. Like the audio,
 * the tags are read from regular files only: the path is checked with `stat` before it is opened,
 * and opened without blocking, so a FIFO is never waited on.
 *
 * @example
 * await readTrackTags('/music/01.mp3') // { artist: 'Nina Simone', song: 'Sinnerman', album: 'Pastel Blues', duration: 622.1 }
 */
export const readTrackTags = async (path: string): Promise<TrackTags> => {
  if (!(await checkRegularFile(path)).ok) return {}
  try {
    const { common, format } = await parseRegularFile(path)
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
