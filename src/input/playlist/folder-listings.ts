import type { Dirent } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { basename, dirname } from 'node:path'

/** What a folder's listing says of a path: missing, listed as this kind, or `unknown` (stat it to know). */
export type Listed = 'missing' | 'file' | 'directory' | 'symlink' | 'special' | 'unknown'

interface Listing {
  readonly names: Map<string, Listed>
  /** The names case-folded and NFC-normalized: a case-insensitive file system finds `A.MP3` as `a.mp3`. */
  readonly folded: Set<string>
}

const fold = (name: string): string => name.normalize('NFC').toLowerCase()

const kindOf = (entry: Dirent): Listed =>
  entry.isFile()
    ? 'file'
    : entry.isDirectory()
    ? 'directory'
    : entry.isSymbolicLink()
    ? 'symlink'
    : entry.isFIFO() || entry.isSocket() || entry.isCharacterDevice() || entry.isBlockDevice()
    ? 'special'
    : 'unknown'

const list = async (folder: string): Promise<Listing | 'missing' | undefined> => {
  try {
    const entries = await readdir(folder, { withFileTypes: true })
    return {
      names: new Map(entries.map((entry) => [entry.name, kindOf(entry)])),
      folded: new Set(entries.map((entry) => fold(entry.name))),
    }
  } catch (error) {
    const code = (error as { code?: string }).code
    // A folder that cannot be listed (no read permission) may still hold files that can be opened.
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : undefined
  }
}

/**
 * Tells whether paths exist by listing each folder once, instead of one `stat` per path: a
 * playlist of 100,000 missing files costs one listing per folder, not 100,000 failed calls. A
 * snapshot, made anew for each pass over a playlist.
 *
 * @example
 * const listings = new FolderListings()
 * if ((await listings.kind('/music/gone.mp3')) === 'missing') skip('file not found')
 */
export class FolderListings {
  readonly #folders = new Map<string, Promise<Listing | 'missing' | undefined>>()

  /** What the listing of the path's folder says of it; `unknown` when only `stat` can tell. */
  async kind(path: string): Promise<Listed> {
    const name = basename(path)
    if (name === '' || name === '.' || name === '..') return 'unknown'
    const folder = dirname(path)
    let listing = this.#folders.get(folder)
    if (!listing) this.#folders.set(folder, listing = list(folder))
    const found = await listing
    if (found === 'missing') return 'missing'
    if (!found) return 'unknown'
    return found.names.get(name) ?? (found.folded.has(fold(name)) ? 'unknown' : 'missing')
  }
}
