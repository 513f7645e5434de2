import { readdir, readFile, stat } from 'node:fs/promises'
import { dirname, extname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AUDIO_EXTENSIONS } from '../../format/formats.ts'
import type { Logger } from '../../log.ts'
import { silentLogger } from '../../log.ts'
import { parseM3u, parsePls, playlistKind } from './playlist-file.ts'

const MAX_NESTING = 8

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Sorts paths the way people number tracks: "2 …" before "10 …". */
const naturalSort = (paths: string[]): string[] =>
  paths.sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0))

const expandHome = (path: string): string => {
  const home = process.env.HOME ?? process.env.USERPROFILE
  return home && (path === '~' || path.startsWith('~/')) ? join(home, path.slice(1)) : path
}

const scanFolder = async (dir: string, log: Logger): Promise<string[]> => {
  const found: string[] = []
  const ignored = new Map<string, number>()
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true })
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue
      const path = join(current, entry.name)
      let isDir = entry.isDirectory()
      let isFile = entry.isFile()
      if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => undefined)
        isDir = target?.isDirectory() ?? false
        isFile = target?.isFile() ?? false
      }
      if (isDir) await walk(path)
      else if (isFile) {
        const ext = extname(entry.name).toLowerCase()
        if (AUDIO_EXTENSIONS.includes(ext)) found.push(path)
        else ignored.set(ext || '(none)', (ignored.get(ext || '(none)') ?? 0) + 1)
      }
    }
  }
  await walk(dir)
  if (ignored.size > 0) {
    const kinds = [...ignored].map(([ext, n]) => `${n} ${ext}`).join(', ')
    log.debug(`${dir}: ignored files that are not ${AUDIO_EXTENSIONS.join('/')}: ${kinds}`)
  }
  return naturalSort(found)
}

/**
 * Turns playlist entries (files, folders, `.m3u`/`.m3u8`/`.pls` files) into the ordered list of files
 * to play. Folders are scanned recursively in natural order; playlist files may nest; relative
 * entries are resolved against `baseDir` (or the playlist file's folder). A missing entry is kept,
 * so that probing it reports the problem with its name.
 *
 * @example
 * await resolvePlaylist(['~/Music', 'party.m3u'], { baseDir: process.cwd() })
 */
export const resolvePlaylist = async (
  entries: readonly string[],
  options: { baseDir?: string; log?: Logger } = {},
): Promise<string[]> => {
  const log = options.log ?? silentLogger
  const files: string[] = []
  const visit = async (entry: string, baseDir: string, chain: readonly string[]): Promise<void> => {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) && !entry.startsWith('file:')) {
      log.warn(`playlist entry ${entry}: remote URLs are not played from playlists (configure a relay mount instead)`)
      return
    }
    const unixy = entry.includes('\\') && !entry.includes('/') ? entry.replaceAll('\\', '/') : entry
    const local = unixy.startsWith('file:') ? fileURLToPath(unixy) : expandHome(unixy)
    const path = isAbsolute(local) ? local : resolve(baseDir, local)
    const info = await stat(path).catch(() => undefined)
    if (info?.isDirectory()) {
      files.push(...(await scanFolder(path, log)))
      return
    }
    const kind = playlistKind(path)
    if (!info || !kind) {
      files.push(path)
      return
    }
    if (chain.includes(path) || chain.length >= MAX_NESTING) {
      log.warn(`playlist ${path}: nested too deeply or includes itself; skipped`)
      return
    }
    const bytes = new Uint8Array(await readFile(path))
    const listed = kind === 'pls' ? parsePls(bytes) : parseM3u(bytes)
    if (listed.length === 0) log.warn(`playlist ${path} lists no entries`)
    for (const item of listed) await visit(item.location, dirname(path), [...chain, path])
  }
  for (const entry of entries) await visit(entry, options.baseDir ?? process.cwd(), [])
  return files
}
