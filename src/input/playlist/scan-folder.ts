import type { Dirent, Stats } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import { extname, join, sep } from 'node:path'
import { AUDIO_EXTENSIONS } from '../../format/formats.ts'
import type { Logger } from '../../log.ts'
import { fileError, notRegularFile } from './regular-file.ts'

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Sorts paths the way people number tracks: "2 …" before "10 …". */
const naturalSort = (paths: string[]): string[] =>
  paths.sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0))

const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/** Whether `inner` is `outer` or inside it (both real paths). */
const within = (inner: string, outer: string): boolean =>
  inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep)

/**
 * Lists the audio files in a folder and its subfolders, in natural order, hidden files excluded.
 * Each folder is scanned once, known by its real path: a symbolic link back up the tree (`self -> .`,
 * `up -> ..`, however high) or to a folder already scanned is skipped with one log line, and a file reached by
 * several links is listed once; links are followed once every real folder is scanned, so files keep
 * their real paths. A FIFO, socket or device with an audio file's name is skipped with one log line
 * (it is never opened), as is a folder that cannot be read.
 *
 * @example
 * await scanFolder('/music', log) // ['/music/1 Intro.mp3', '/music/2 Song.mp3', '/music/10 Outro.mp3']
 */
export const scanFolder = async (dir: string, log: Logger): Promise<string[]> => {
  const found: string[] = []
  const listed = new Set<string>()
  const scanned = new Map<string, string>()
  const links: { path: string; inside: string; folder: boolean }[] = []
  const ignored = new Map<string, number>()
  let duplicates = 0

  const addFile = (path: string, real: string) => {
    const ext = extname(path).toLowerCase()
    if (!AUDIO_EXTENSIONS.includes(ext)) ignored.set(ext || '(none)', (ignored.get(ext || '(none)') ?? 0) + 1)
    else if (listed.has(real)) duplicates++
    else {
      listed.add(real)
      found.push(path)
    }
  }
  const isAudio = (path: string) => AUDIO_EXTENSIONS.includes(extname(path).toLowerCase())
  /** Tells why a FIFO, socket or device named like audio is skipped; `stat` names its kind, and never opens it. */
  const skipSpecial = async (path: string, stats?: Stats) => {
    if (!isAudio(path)) return
    stats ??= await stat(path).catch(() => undefined)
    log.warn(`skipping ${path}: ${(stats && notRegularFile(stats)) ?? 'not a regular file'}`)
  }

  const walk = async (path: string, real: string): Promise<void> => {
    const seen = scanned.get(real)
    if (seen !== undefined) return log.warn(`skipping ${path}: the same folder as ${seen}, already scanned`)
    scanned.set(real, path)
    let entries: Dirent[]
    try {
      entries = (await readdir(path, { withFileTypes: true })).sort(byName)
    } catch (error) {
      return log.warn(`skipping folder ${path}: ${fileError(error)}`)
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue
      const child = join(path, entry.name)
      if (entry.isDirectory()) await walk(child, join(real, entry.name))
      else if (entry.isFile()) addFile(child, join(real, entry.name))
      else if (!entry.isSymbolicLink()) await skipSpecial(child)
      else {
        const target = await stat(child).catch((error: unknown) => error as Error)
        if (target instanceof Error) {
          const code = (target as { code?: string }).code
          const reason = code === 'ENOENT' ? 'a broken symbolic link' : fileError(target)
          if (isAudio(child)) log.warn(`skipping ${child}: ${reason}`)
        } else if (target.isDirectory() || target.isFile()) {
          links.push({ path: child, inside: real, folder: target.isDirectory() })
        } else await skipSpecial(child, target)
      }
    }
  }

  await walk(dir, await realpath(dir).catch(() => dir))
  // Links found while following links join the end of the queue.
  for (const link of links) {
    const real = await realpath(link.path).catch(() => undefined)
    if (real === undefined) continue
    if (!link.folder) {
      addFile(link.path, real)
      continue
    }
    const seen = scanned.get(real)
    if (within(link.inside, real)) {
      log.warn(`skipping ${link.path}: a symbolic link loop (it leads back up to ${seen ?? real})`)
    } else if (seen === undefined) await walk(link.path, real)
    else log.warn(`skipping ${link.path}: it leads to ${seen}, already scanned`)
  }
  if (duplicates > 0) log.debug(`${dir}: ${duplicates} file(s) reached by more than one symbolic link, listed once`)
  if (ignored.size > 0) {
    const kinds = [...ignored].map(([ext, n]) => `${n} ${ext}`).join(', ')
    log.debug(`${dir}: ignored files that are not ${AUDIO_EXTENSIONS.join('/')}: ${kinds}`)
  }
  return naturalSort(found)
}
