import type { Logger } from '../../log.ts'
import type { ResolvedFile } from './resolve-playlist.ts'

/** Up to this many files skipped for one reason are told one by one, by name. */
const ONE_BY_ONE = 3

interface Group {
  readonly reason: string
  readonly listedIn: string | undefined
  readonly paths: string[]
  count: number
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
  readonly #pending = new Map<string, Group>()

  constructor(log: Logger) {
    this.#log = log
  }

  /** Notes a skipped file; nothing is written until `flush()`. */
  add(file: ResolvedFile, reason: string): void {
    const told = `${file.path}\0${reason}`
    if (this.#told.has(told)) return
    this.#told.add(told)
    const key = `${file.listedIn ?? ''}\0${reason}`
    const group = this.#pending.get(key)
    if (!group) this.#pending.set(key, { reason, listedIn: file.listedIn, paths: [file.path], count: 1 })
    else if (++group.count <= ONE_BY_ONE) group.paths.push(file.path)
  }

  /** Writes what was noted since the last flush: one line per reason and playlist. */
  flush(): void {
    for (const { reason, listedIn, paths, count } of this.#pending.values()) {
      if (count <= ONE_BY_ONE) { for (const path of paths) this.#log.warn(`skipping ${path}: ${reason}`) }
      else {
        const where = listedIn ? ` in ${listedIn}` : ''
        this.#log.warn(`skipped ${count.toLocaleString('en-US')} files${where}: ${reason} (first: ${paths[0]})`)
      }
    }
    this.#pending.clear()
  }
}
