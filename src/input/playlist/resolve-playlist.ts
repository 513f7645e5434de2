import { stat } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AUDIO_EXTENSIONS } from '../../format/formats.ts'
import type { Logger } from '../../log.ts'
import { silentLogger } from '../../log.ts'
import type { Result } from '../../util/result.ts'
import { done, refused } from '../../util/result.ts'
import { FolderListings } from './folder-listings.ts'
import { parseM3u, parsePls, playlistKind } from './playlist-file.ts'
import { fileError, openRegularFile } from './regular-file.ts'
import { scanFolder } from './scan-folder.ts'

const MAX_NESTING = 8

/** A file to play, and where it was found. */
export interface ResolvedFile {
  readonly path: string
  /** The playlist file or folder that lists it; none for a file named by the configuration itself. */
  readonly listedIn?: string
}

const expandHome = (path: string): string => {
  const home = process.env.HOME ?? process.env.USERPROFILE
  return home && (path === '~' || path.startsWith('~/')) ? join(home, path.slice(1)) : path
}

/**
 * Where a local playlist entry points: `~` is the home folder, and a relative path is taken from
 * `baseDir` (as the files `resolvePlaylist` finds are named).
 *
 * @example
 * entryPath('~/Music/a.mp3', '/etc/airwave') // '/home/me/Music/a.mp3'
 */
export const entryPath = (entry: string, baseDir: string): string => {
  const local = expandHome(entry)
  return isAbsolute(local) ? local : resolve(baseDir, local)
}

/** What a path is, from its folder's listing when that says, else from `stat`. */
const kindOf = async (path: string, listings: FolderListings): Promise<'missing' | 'file' | 'directory' | 'other'> => {
  const listed = await listings.kind(path)
  if (listed === 'missing' || listed === 'file' || listed === 'directory') return listed
  if (listed === 'special') return 'other'
  const info = await stat(path).catch(() => undefined)
  return !info ? 'missing' : info.isDirectory() ? 'directory' : info.isFile() ? 'file' : 'other'
}

/** A playlist file's bytes, read only if it is a regular file (a FIFO named `x.m3u` is never waited on). */
const readPlaylist = async (path: string): Promise<Result<Uint8Array>> => {
  const opened = await openRegularFile(path)
  if (!opened.ok) return opened
  try {
    return done(new Uint8Array(await opened.value.handle.readFile()))
  } catch (error) {
    return refused(fileError(error))
  } finally {
    await opened.value.handle.close()
  }
}

/**
 * Turns playlist entries (files, folders, `.m3u`/`.m3u8`/`.pls` files) into the ordered list of files
 * to play, each with the playlist file or folder that listed it. Folders are scanned recursively in
 * natural order (see `scanFolder`); playlist files may nest; relative entries are resolved against
 * `baseDir` (or the playlist file's folder). A missing entry is kept, so that probing it reports the
 * problem with its name. Whether entries exist is read from their folders' listings (`listings`,
 * one listing per folder), so a playlist of 100,000 entries resolves without 100,000 calls.
 *
 * @example
 * await resolvePlaylist(['~/Music', 'party.m3u'], { baseDir: process.cwd() })
 * // [{ path: '/home/me/Music/a.mp3', listedIn: '/home/me/Music' }, { path: '/srv/b.mp3', listedIn: '/srv/party.m3u' }]
 */
export const resolvePlaylist = async (
  entries: readonly string[],
  options: { baseDir?: string; log?: Logger; listings?: FolderListings } = {},
): Promise<ResolvedFile[]> => {
  const log = options.log ?? silentLogger
  const listings = options.listings ?? new FolderListings()
  const files: ResolvedFile[] = []
  const visit = async (entry: string, baseDir: string, chain: readonly string[]): Promise<void> => {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) && !entry.startsWith('file:')) {
      log.warn(`playlist entry ${entry}: remote URLs are not played from playlists (configure a relay mount instead)`)
      return
    }
    const unixy = entry.includes('\\') && !entry.includes('/') ? entry.replaceAll('\\', '/') : entry
    let local: string
    try {
      local = unixy.startsWith('file:') ? fileURLToPath(unixy) : unixy
    } catch (error) {
      return log.warn(`playlist entry ${entry}: ${error instanceof Error ? error.message : String(error)}; skipped`)
    }
    const path = entryPath(local, baseDir)
    const kind = await kindOf(path, listings)
    if (kind === 'directory') {
      const found = await scanFolder(path, log)
      if (found.length === 0) log.warn(`folder ${path} holds no ${AUDIO_EXTENSIONS.join('/')} files`)
      for (const file of found) files.push({ path: file, listedIn: path })
      return
    }
    const listedIn = chain.at(-1)
    if (kind !== 'file' || !playlistKind(path)) {
      files.push(listedIn ? { path, listedIn } : { path })
      return
    }
    if (chain.includes(path) || chain.length >= MAX_NESTING) {
      log.warn(`playlist ${path}: nested too deeply or includes itself; skipped`)
      return
    }
    const read = await readPlaylist(path)
    if (!read.ok) return log.warn(`skipping playlist ${path}: ${read.reason}`)
    const listed = playlistKind(path) === 'pls' ? parsePls(read.value) : parseM3u(read.value)
    if (listed.length === 0) log.warn(`playlist ${path} lists no entries`)
    const nested = [...chain, path]
    for (const item of listed) await visit(item.location, dirname(path), nested)
  }
  for (const entry of entries) await visit(entry, options.baseDir ?? process.cwd(), [])
  return files
}
