import type { FileHandle } from 'node:fs/promises'
import { mkdir, open } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { ChainLink } from '../format/ogg/ogg-pages.ts'
import type { Chunk } from '../pipeline/chunk.ts'
import { concatBytes } from '../util/bytes.ts'
import { uniqueName } from './file-pattern.ts'

/** Seconds of audio a file may have waiting for the disk before it is given up as too slow (~5 MB at 320 kbit/s). */
const MAX_BEHIND_SECONDS = 120
/** Names tried (`x.mp3`, `x-1.mp3` …) before a file is given up. */
const MAX_TRIES = 1000

/** What went wrong with a file: what airwave was doing, on which path, and the error. */
export interface FileFailure {
  readonly action: 'make the folder' | 'create' | 'write to'
  readonly path: string
  readonly error: unknown
}

/**
 * One recording file: created new (never over another: `-1`, `-2`… are added), its folder made as
 * needed, then each chunk appended with one write, in order, as soon as the one before is on disk,
 * so a file is whole frames (or whole Ogg pages, after its link's header pages) at every moment. A
 * failure (no permission, disk full) stops it: a partly written chunk is cut off again, and
 * `onFailure` is told once.
 *
 * @example
 * const file = new RecordFile('/rec/2026-07-01/120000-stream.mp3', { onFailure: (f) => log.error(f.path) })
 * file.write(chunk)
 * await file.close()
 */
export class RecordFile {
  /** The path asked for; `path` once it is open (with `-1`… when taken). */
  readonly wanted: string
  /** Bytes and seconds of audio written (on disk). */
  bytes = 0
  seconds = 0
  readonly #onFailure: (failure: FileFailure) => void
  readonly #queue: { data: Uint8Array; seconds: number }[] = []
  #behind = 0
  #link: ChainLink | undefined
  #path: string | undefined
  #failed = false
  #closing = false
  readonly #done: Promise<void>
  #wake: (() => void) | undefined
  #created!: (path: string | undefined) => void
  /** Resolves with the path once the file exists (undefined: it could not be created). */
  readonly created: Promise<string | undefined> = new Promise((resolve) => (this.#created = resolve))

  /** `after`: the file before, created first (so `-1`, `-2`… follow the order files were opened in). */
  constructor(wanted: string, options: { onFailure: (failure: FileFailure) => void; after?: Promise<unknown> }) {
    this.wanted = wanted
    this.#onFailure = options.onFailure
    this.#done = this.#run(options.after)
  }

  /** Where it is written, once created. */
  get path(): string | undefined {
    return this.#path
  }

  /** It failed: nothing more is written. */
  get failed(): boolean {
    return this.#failed
  }

  /** Appends a chunk (after its Ogg link's header pages when the file lacks them); false once failed or closed. */
  write(chunk: Chunk): boolean {
    if (this.#failed || this.#closing) return false
    const data = chunk.link && chunk.link !== this.#link && !chunk.opensLink
      ? concatBytes([chunk.link.headers, chunk.data])
      : chunk.data
    this.#link = chunk.link
    this.#queue.push({ data, seconds: chunk.duration })
    this.#behind += chunk.duration
    if (this.#behind > MAX_BEHIND_SECONDS) {
      this.#fail('write to', new Error(`the disk is too slow: ${MAX_BEHIND_SECONDS} s of audio wait to be written`))
    }
    this.#poke()
    return !this.#failed
  }

  /** Writes what is queued, closes the file; resolves once it is closed. */
  close(): Promise<void> {
    this.#closing = true
    this.#poke()
    return this.#done
  }

  async #run(after: Promise<unknown> | undefined): Promise<void> {
    await after
    const handle = await this.#create()
    this.#created(this.#path)
    if (!handle) return
    try {
      for (;;) {
        const next = this.#queue.shift()
        if (next) {
          if (!(await this.#append(handle, next.data))) return
          this.bytes += next.data.length
          this.seconds += next.seconds
          this.#behind -= next.seconds
          continue
        }
        if (this.#closing || this.#failed) return
        await new Promise<void>((resolve) => (this.#wake = resolve))
      }
    } finally {
      await handle.close().catch(() => {})
    }
  }

  async #create(): Promise<FileHandle | undefined> {
    try {
      await mkdir(dirname(this.wanted), { recursive: true })
    } catch (error) {
      this.#fail('make the folder', error, dirname(this.wanted))
      return undefined
    }
    for (let n = 0; n < MAX_TRIES; n++) {
      const path = uniqueName(this.wanted, n)
      try {
        const handle = await open(path, 'ax')
        this.#path = path
        return handle
      } catch (error) {
        if ((error as { code?: string }).code === 'EEXIST') continue
        this.#fail('create', error, path)
        return undefined
      }
    }
    this.#fail('create', new Error(`${MAX_TRIES} files of that name exist already`))
    return undefined
  }

  /** One write (more only if the system writes part of it); on failure the file is cut back to whole chunks. */
  async #append(handle: FileHandle, data: Uint8Array): Promise<boolean> {
    let written = 0
    try {
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written)
        if (bytesWritten <= 0) throw new Error('the system wrote nothing')
        written += bytesWritten
      }
      return true
    } catch (error) {
      if (written > 0) await handle.truncate(this.bytes).catch(() => {})
      this.#fail('write to', error)
      return false
    }
  }

  #fail(action: FileFailure['action'], error: unknown, path = this.#path ?? this.wanted): void {
    if (this.#failed) return
    this.#failed = true
    this.#queue.length = 0
    this.#poke()
    this.#onFailure({ action, path, error })
  }

  #poke(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }
}
