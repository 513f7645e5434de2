import { relative } from 'node:path'
import type { BroadcastTap } from '../broadcast/broadcaster.ts'
import type { Clock } from '../clock.ts'
import { systemClock, wallTime } from '../clock.ts'
import type { RecordConfig } from '../config/recording-schema.ts'
import { FORMATS } from '../format/formats.ts'
import type { AudioFormat } from '../format/params.ts'
import type { Logger } from '../log.ts'
import { silentLogger } from '../log.ts'
import type { Chunk } from '../pipeline/chunk.ts'
import { diskProblem } from './disk-problem.ts'
import type { FilePattern } from './file-pattern.ts'
import { filePattern } from './file-pattern.ts'
import { prune } from './prune.ts'
import { RecordFile } from './record-file.ts'
import { nextRotation } from './rotation.ts'

/** How long a recording that failed waits before trying again, without a rotation to wait for. */
const RETRY_MS = 60_000

export interface RecorderOptions {
  /** The mount's path (`{mount}` in the pattern). */
  mount: string
  /** The station's time zone: names and rotation follow its clock. */
  timeZone: string
  /** Where a relative `path` resolves (the config file's folder). */
  baseDir?: string
  /** The stream's format now (its extension); undefined while a mount has never had a stream. */
  format: () => AudioFormat | undefined
  clock?: Clock
  log?: Logger
}

/** The file being recorded, as the API shows it. */
export interface RecordingStatus {
  /** Its path below the recordings' folder. */
  readonly file: string
  /** Wall-clock time it was opened. */
  readonly since: Date
  /** Bytes on disk. */
  readonly bytes: number
}

interface Current {
  readonly file: RecordFile
  readonly since: number
  readonly rotateAt: number | undefined
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`
const clockTime = (seconds: number) => {
  const s = Math.round(seconds)
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${
    String(s % 60).padStart(2, '0')
  }`
}

/**
 * Records a broadcast to files as its listeners hear it (see docs/recording.md): the chunks it taps,
 * appended as they are published; a new file at each rotation on the clock, when a live show starts
 * and ends (`splitAtLive`), or when the stream changes; only live shows with `liveOnly`. A file that
 * cannot be written is logged and given up, the next tried at the next rotation or live show;
 * listeners never notice. Old files of its own pattern are pruned at start and at each new file.
 *
 * @example
 * const recorder = new Recorder(config.record, { mount: '/stream', timeZone: 'UTC', format: () => 'mp3', log })
 * const untap = broadcaster.tap(recorder.take)
 * await recorder.close()
 */
export class Recorder {
  readonly config: RecordConfig
  readonly pattern: FilePattern
  readonly #options: RecorderOptions
  readonly #clock: Clock
  readonly #log: Logger
  readonly #pending = new Set<Promise<void>>()
  #current: Current | undefined
  #lastFile: RecordFile | undefined
  /** Files not yet closed (never pruned). */
  readonly #writing = new Set<RecordFile>()
  #lastOrigin: string | undefined
  #pendingReason: string | undefined
  #retryAt: number | undefined
  #problem: string | undefined
  #showFrom: number | undefined
  #fileAtShow: RecordFile | undefined
  #pruning: Promise<void> | undefined
  #closed = false

  constructor(config: RecordConfig, options: RecorderOptions) {
    this.config = config
    this.#options = options
    this.#clock = options.clock ?? systemClock
    this.#log = options.log ?? silentLogger
    this.pattern = filePattern(config.path, options.mount, options.baseDir)
    this.#prune()
  }

  /** What went wrong with the last file, until a file is recorded again: for the API, not only the log. */
  get problem(): string | undefined {
    return this.#problem
  }

  /** The file being recorded, if any. */
  get status(): RecordingStatus | undefined {
    const current = this.#current
    if (!current) return undefined
    const path = current.file.path ?? current.file.wanted
    return { file: relative(this.pattern.root, path), since: new Date(current.since), bytes: current.file.bytes }
  }

  /** A live source connected: its first chunk (of a track numbered `firstTrackId` or later) starts a new file. */
  liveShow(firstTrackId: number): void {
    this.#showFrom = firstTrackId
    this.#fileAtShow = this.#current?.file
  }

  /** The mount went off air: the file ends (the next chunk starts another). */
  offAir(): void {
    this.#end('off air')
    this.#lastOrigin = undefined
  }

  /** Follows the broadcast: each published chunk, and a new stream (the burst cleared). */
  readonly take: BroadcastTap = (event) => {
    if (this.#closed) return
    if (event.type === 'clear') this.#pendingReason ??= 'a new stream'
    else this.#record(event.chunk)
  }

  /** Ends the file being written; resolves once every file is closed and pruning is done. */
  async close(): Promise<void> {
    this.#closed = true
    this.#end('stopped')
    while (this.#pending.size > 0) await Promise.all(this.#pending)
  }

  #record(chunk: Chunk): void {
    const now = wallTime(this.#clock)
    const live = chunk.track.origin === 'live'
    const { splitAtLive, liveOnly } = this.config
    let reason = this.#pendingReason
    if (this.#showFrom !== undefined && live && chunk.track.id >= this.#showFrom) {
      if (splitAtLive && this.#current && this.#current.file === this.#fileAtShow) reason ??= 'a live show'
      this.#showFrom = undefined
      this.#retryAt = undefined
    }
    const wasLive = this.#lastOrigin === 'live'
    if (splitAtLive && this.#lastOrigin !== undefined && live !== wasLive) {
      reason ??= live ? 'a live show' : 'the live show ended'
    }
    this.#lastOrigin = chunk.track.origin
    if (liveOnly && !live) return this.#end('no live source')
    const rotateAt = this.#current?.rotateAt
    if (rotateAt !== undefined && now >= rotateAt) reason ??= 'rotation'
    if (reason !== undefined && this.#current) {
      // A file must not begin with a page continuing a packet: the new one starts at the next chunk.
      if (chunk.continued) this.#pendingReason = reason
      else this.#end(reason)
    }
    if (!chunk.continued) this.#pendingReason = undefined
    if (!this.#current && !chunk.continued && (this.#retryAt === undefined || now >= this.#retryAt)) {
      this.#current = this.#open(now)
    }
    this.#current?.file.write(chunk)
  }

  #open(now: number): Current | undefined {
    const format = this.#options.format()
    if (!format) return undefined
    const { timeZone } = this.#options
    const wanted = this.pattern.nameAt(now, timeZone, FORMATS[format].extensions[0]!)
    const file: RecordFile = new RecordFile(wanted, {
      after: this.#lastFile?.created,
      onFailure: (failure) => this.#failed(file, diskProblem(failure)),
    })
    this.#lastFile = file
    this.#writing.add(file)
    void file.created.then((path) => {
      if (!path) return
      this.#problem = undefined
      this.#log.info(`recording to ${path}`)
    })
    this.#retryAt = undefined
    this.#prune()
    return { file, since: now, rotateAt: nextRotation(now, this.config.rotateMinutes, timeZone) }
  }

  #end(why: string): void {
    const current = this.#current
    if (!current) return
    this.#current = undefined
    this.#track(
      current.file.close().then(() => {
        this.#writing.delete(current.file)
        const { path, bytes, seconds, failed } = current.file
        if (!path) return
        const summary = `${megabytes(bytes)}, ${clockTime(seconds)} of audio`
        this.#log.info(`recording closed: ${path} (${summary}; ${failed ? 'after an error' : why})`)
      }),
    )
  }

  #failed(file: RecordFile, problem: string): void {
    if (this.#current?.file === file) this.#end('after an error')
    const now = wallTime(this.#clock)
    this.#retryAt = nextRotation(now, this.config.rotateMinutes, this.#options.timeZone) ?? now + RETRY_MS
    const when = new Date(this.#retryAt).toISOString()
    this.#problem = `${problem}; tries again at ${when} or at the next live show`
    this.#log.error(
      `recording failed: ${problem}. The stream plays on; recording tries again at ${when} or at the next live show`,
    )
  }

  /** Deletes this pattern's old files, as `keepDays` and `maxTotalMB` ask (one pruning at a time). */
  #prune(): void {
    const { keepDays, maxTotalMB } = this.config
    if (keepDays === undefined && maxTotalMB === undefined) return
    if (this.#pruning) return
    const policy = {
      maxAgeMs: keepDays === undefined ? undefined : keepDays * 86_400_000,
      maxBytes: maxTotalMB === undefined ? undefined : maxTotalMB * 1e6,
    }
    const writing = [...this.#writing].map((file) => file.created)
    this.#pruning = this.#track(
      Promise.all(writing).then((paths) =>
        prune(this.pattern, policy, wallTime(this.#clock), new Set(paths.filter((path) => path !== undefined)))
      ).then(({ deleted, failed }) => {
        this.#pruning = undefined
        if (deleted.length > 0) {
          const bytes = deleted.reduce((sum, file) => sum + file.bytes, 0)
          this.#log.info(
            `pruned ${deleted.length} old recording(s) (${megabytes(bytes)}): ${deleted.map((f) => f.path).join(', ')}`,
          )
        }
        for (const { path, error } of failed) {
          this.#log.warn(
            `cannot delete the old recording ${path}: ${error instanceof Error ? error.message : String(error)}`,
          )
        }
      }),
    )
  }

  #track(work: Promise<void>): Promise<void> {
    const tracked = work.catch((error) =>
      this.#log.error(`recording: ${error instanceof Error ? error.message : String(error)}`)
    )
      .finally(() => this.#pending.delete(tracked))
    this.#pending.add(tracked)
    return tracked
  }
}
