import type { Logger } from '../../log.ts'
import type { ResolvedFile } from './resolve-playlist.ts'

/** Up to this many files skipped for one reason are told one by one, by name. */
const ONE_BY_ONE = 3

/** Files skipped alike: how many, and the first few of them. */
interface Alike {
  readonly reason: string
  readonly listedIn: string | undefined
  /** The first `ONE_BY_ONE` paths, in order; all of them when there are no more. */
  readonly paths: string[]
  count: number
}

/** Adds a skipped file to its group (by `key`): counted, and named if among the first few. */
const addAlike = (
  groups: Map<string, Alike>,
  key: string,
  file: { path: string; listedIn?: string },
  reason: string,
) => {
  const group = groups.get(key)
  if (!group) groups.set(key, { reason, listedIn: file.listedIn, paths: [file.path], count: 1 })
  else if (++group.count <= ONE_BY_ONE) group.paths.push(file.path)
}

/** Whether a group is told file by file (few enough), rather than counted. */
const named = (group: Alike): boolean => group.count <= ONE_BY_ONE

/**
 * Why files failed, one line per file, but one per reason for more than three failing alike (the
 * first named): the start-up error's lines.
 *
 * @example
 * describeFailures([{ path: '/a.mp3', reason: 'empty file' }]) // '\n  /a.mp3: empty file'
 */
export const describeFailures = (failures: readonly { path: string; reason: string }[]): string => {
  const groups = new Map<string, Alike>()
  for (const failure of failures) addAlike(groups, failure.reason, failure, failure.reason)
  return [...groups.values()].map((g) =>
    named(g)
      ? g.paths.map((path) => `\n  ${path}: ${g.reason}`).join('')
      : `\n  ${g.count.toLocaleString('en-US')} files: ${g.reason} (first: ${g.paths[0]})`
  ).join('')
}

/**
 * Tells the operator which files were skipped, and why, in few lines: a few files skipped for one
 * reason get a line each; more, from the same playlist file or folder, get one line with their
 * count and the first of them. Each file is told once per reason, however often the playlist loops.
 *
 * @example
 * const skips = new SkipReport(log)
 * for (const file of missing) skips.add(file, 'file not found')
 * skips.flush() // "skipped 99,998 files in /x/list.pls: file not found (first: /x/a.mp3)"
 */
export class SkipReport {
  readonly #log: Logger
  readonly #told = new Set<string>()
  readonly #pending = new Map<string, Alike>()

  constructor(log: Logger) {
    this.#log = log
  }

  /** Notes a skipped file; nothing is written until `flush()`. */
  add(file: ResolvedFile, reason: string): void {
    const told = `${file.path}\0${reason}`
    if (this.#told.has(told)) return
    this.#told.add(told)
    addAlike(this.#pending, `${file.listedIn ?? ''}\0${reason}`, file, reason)
  }

  /** Writes what was noted since the last flush: one line per reason and playlist. */
  flush(): void {
    for (const group of this.#pending.values()) {
      if (named(group)) { for (const path of group.paths) this.#log.warn(`skipping ${path}: ${group.reason}`) }
      else {
        const where = group.listedIn ? ` in ${group.listedIn}` : ''
        this.#log.warn(
          `skipped ${group.count.toLocaleString('en-US')} files${where}: ${group.reason} (first: ${group.paths[0]})`,
        )
      }
    }
    this.#pending.clear()
  }
}
