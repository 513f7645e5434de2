import type { AudioFormat, StreamParams } from '../../format/params.ts'
import { describeParams, formatLabel, paramsMismatch } from '../../format/params.ts'
import type { Logger } from '../../log.ts'
import { silentLogger } from '../../log.ts'
import type { Clock } from '../../clock.ts'
import { systemClock } from '../../clock.ts'
import type { AudioFileInfo, ProbeResult } from './audio-file.ts'
import { probeAudioFile, readAudioFrames } from './audio-file.ts'
import { Backoff } from '../../util/backoff.ts'
import { refused } from '../../util/result.ts'
import { FolderListings } from './folder-listings.ts'
import type { ResolvedFile } from './resolve-playlist.ts'
import { resolvePlaylist } from './resolve-playlist.ts'
import { describeFailures, SkipReport } from './skip-report.ts'
import type { SourceFrame, Track, TrackTags } from '../track.ts'
import { displayTitle, nextTrackId, titleFromPath } from '../track.ts'
import { readTrackTags } from './track-tags.ts'
import { FileRefusedError } from './regular-file.ts'

export interface PlaylistSourceOptions {
  /** Files, folders and playlist files, as configured. */
  entries: readonly string[]
  /** Where relative entries are resolved (default: the working directory). */
  baseDir?: string
  shuffle?: boolean
  /** Only play files of this format (default: the format of the first playable file). */
  format?: AudioFormat
  log?: Logger
  clock?: Clock
  random?: () => number
}

/**
 * Why no file of a playlist could be played, file by file (in the message, files failing alike
 * are counted on one line).
 *
 * @example
 * catch (error) { if (error instanceof PlaylistError) for (const f of error.failures) log.warn(`${f.path}: ${f.reason}`) }
 */
export class PlaylistError extends Error {
  readonly failures: readonly { path: string; reason: string }[]
  constructor(message: string, failures: readonly { path: string; reason: string }[]) {
    super(`${message}${describeFailures(failures)}`)
    this.name = 'PlaylistError'
    this.failures = failures
  }
}

/** How many files are probed at once when a playlist is opened. */
const PROBES_AT_ONCE = 8
/** How many playlist entries are looked at before the event loop gets a turn. */
const ENTRIES_PER_TURN = 256

/** One pass over the playlist: its files, and the listings of their folders, made when it was resolved. */
interface Pass {
  readonly files: readonly ResolvedFile[]
  readonly listings: FolderListings
}

/** A file found playable, with its tags: the next to go on air. */
interface Ready {
  readonly file: ResolvedFile
  readonly info: AudioFileInfo
  readonly tags: TrackTags
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Probes a file, answering at once (no call of its own) for one its folder's listing lacks. */
const probe = async (path: string, listings: FolderListings): Promise<ProbeResult> =>
  (await listings.kind(path)) === 'missing' ? refused('file not found') : probeAudioFile(path)

/** Probes a pass's files, a few at a time; the results are in the files' order. */
const probeAll = async ({ files, listings }: Pass): Promise<ProbeResult[]> => {
  const results: ProbeResult[] = new Array(files.length)
  let next = 0
  const worker = async () => {
    while (next < files.length) {
      const index = next++
      results[index] = await probe(files[index]!.path, listings)
    }
  }
  await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, files.length) }, worker))
  return results
}

/** How long to wait before looking again when nothing in the playlist plays: 1 s, doubling to 30 s. */
const IDLE_RETRY = { initialMs: 1_000, maxMs: 30_000 }

/**
 * The AutoDJ: plays a playlist's files in order (or shuffled anew at each loop, never repeating the
 * last track first), looping forever, rescanning folders and playlist files at each loop. While a
 * file plays, the next playable one is already found, probed and tagged, so files skipped in
 * between (however many) never delay the next track. A file that is missing, empty, corrupt, not
 * audio, not a regular file or does not match the mount's format, sample rate and channels is
 * skipped and told once (many skipped for one reason read as one line with their count, see
 * `SkipReport`); when nothing at all is playable it waits and retries with back-off rather than spinning.
 *
 * @example
 * const source = new PlaylistSource({ entries: ['~/Music'], shuffle: true })
 * const first = await source.open()          // throws PlaylistError if nothing is playable
 * for await (const { frame, track } of source.frames()) …
 */
export class PlaylistSource {
  readonly #options: PlaylistSourceOptions
  readonly #log: Logger
  readonly #clock: Clock
  readonly #warned = new Set<string>()
  readonly #skips: SkipReport
  readonly #stop = new AbortController()
  #pass: Pass = { files: [], listings: new FolderListings() }
  /** The file found to play next, once looked for; undefined while nothing is playable. */
  #upcoming: Promise<Ready | undefined> = Promise.resolve(undefined)
  #nothingAhead: (() => void) | undefined
  #skip = false
  #params: (StreamParams & { bitrate: number }) | undefined
  #playable = 0

  constructor(options: PlaylistSourceOptions) {
    this.#options = options
    this.#log = options.log ?? silentLogger
    this.#clock = options.clock ?? systemClock
    this.#skips = new SkipReport(this.#log)
  }

  /** The stream parameters every played file must share, known once `open()` has resolved. */
  get params(): StreamParams & { bitrate: number } {
    if (!this.#params) throw new Error('PlaylistSource.open() has not completed')
    return this.#params
  }

  /** How many files the playlist resolved to at its last scan. */
  get size(): number {
    return this.#pass.files.length
  }

  /**
   * Resolves the playlist and probes files until one is playable; its format, sample rate and
   * channels become the mount's. Throws a PlaylistError naming every file and why when none is.
   */
  async open(): Promise<AudioFileInfo> {
    const pass = this.#pass = await this.#resolve()
    if (pass.files.length === 0) {
      throw new PlaylistError(
        `the playlist is empty: nothing found in ${this.#options.entries.join(', ') || '(no entries)'}`,
        [],
      )
    }
    // Every file is probed (a few at a time) so that the station can say how many will play.
    const probes = await probeAll(pass)
    const wanted = this.#options.format
    const first = probes.find((probe) => probe.ok && (!wanted || probe.value.format === wanted))
    const failures: { file: ResolvedFile; reason: string }[] = []
    let playable = 0
    for (const [index, probe] of probes.entries()) {
      const file = pass.files[index]!
      const reason = !probe.ok
        ? probe.reason
        : wanted && probe.value.format !== wanted
        ? `is ${formatLabel(probe.value.format)}, the mount is ${formatLabel(wanted)}`
        : first?.ok && paramsMismatch(first.value, probe.value)
        ? `does not match the mount (${paramsMismatch(first.value, probe.value)})`
        : undefined
      if (reason === undefined) playable++
      else failures.push({ file, reason })
    }
    if (!first?.ok) {
      const files = failures.length === 1 ? '1 file' : `${failures.length.toLocaleString('en-US')} files`
      throw new PlaylistError(
        `nothing in the playlist is playable (${files}):`,
        failures.map(({ file, reason }) => ({ path: file.path, reason })),
      )
    }
    for (const { file, reason } of failures) this.#skips.add(file, reason)
    this.#skips.flush()
    this.#playable = playable
    const { format, sampleRate, channels, bitrate } = first.value
    this.#params = { format, sampleRate, channels, bitrate }
    return first.value
  }

  /** How many files of the playlist were playable when it was opened. */
  get playable(): number {
    return this.#playable
  }

  /** Stops the loop; a pending `frames()` iteration ends. */
  close(): void {
    this.#stop.abort()
  }

  /**
   * Ends the current track: the next frame yielded is the first of the next track (the current
   * one's file is closed). Asking again before that changes nothing.
   */
  skip(): void {
    this.#skip = true
  }

  /**
   * The track to play after the current one, with its tags (it was found playable, though it may
   * still fail to read); it has no id until it goes on air. Undefined while nothing is playable.
   */
  async upcoming(): Promise<Track | undefined> {
    const ready = await this.#upcoming
    if (!ready) return undefined
    const { path } = ready.file
    return { id: 0, origin: 'playlist', path, title: displayTitle(ready.tags, titleFromPath(path)), ...ready.tags }
  }

  /** Yields the playlist's frames, track after track, looping until `close()`. */
  async *frames(): AsyncGenerator<SourceFrame> {
    const params = this.params
    const ended = new AbortController()
    const end = () => ended.abort()
    this.#stop.signal.addEventListener('abort', end, { once: true })
    const ahead = this.#playables(params, ended.signal)
    try {
      let next = this.#lookAhead(ahead)
      while (!ended.signal.aborted) {
        const step = await next
        if (step.done || ended.signal.aborted) return
        // While this file plays, the next playable one is looked for.
        next = this.#lookAhead(ahead)
        const { file, info, tags } = step.value
        const track: Track = {
          id: nextTrackId(),
          origin: 'playlist',
          path: file.path,
          title: displayTitle(tags, titleFromPath(file.path)),
          ...tags,
          duration: tags.duration ?? ((info.end - info.start) * 8) / (info.bitrate * 1000),
        }
        this.#skip = false
        let dropped = 0
        try {
          for await (const frame of readAudioFrames(info)) {
            if (frame.sampleRate !== params.sampleRate || frame.channels !== params.channels) {
              dropped++
              continue
            }
            yield { frame, track }
            if (ended.signal.aborted) return
            if (this.#skip) break
          }
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error)
          this.#skips.add(file, error instanceof FileRefusedError ? reason : `read failed: ${reason}`)
        }
        if (dropped > 0) this.#skips.add(file, `dropped ${dropped} frame(s) that are not ${describeParams(params)}`)
        this.#skips.flush()
      }
    } finally {
      end()
      this.#stop.signal.removeEventListener('abort', end)
      void ahead.return(undefined)
    }
  }

  /** Asks for the next playable file, and makes it what `upcoming()` tells. */
  #lookAhead(ahead: AsyncGenerator<Ready>): Promise<IteratorResult<Ready>> {
    const step = ahead.next()
    this.#upcoming = new Promise((resolve) => {
      this.#nothingAhead = () => resolve(undefined)
      step.then((found) => resolve(found.done ? undefined : found.value), () => resolve(undefined))
    })
    return step
  }

  /**
   * The playable files, pass after pass (each pass rescans the playlist), until `signal`. Entries
   * that cannot play are skipped here, ahead of time; a pass with nothing playable is followed by
   * a back-off wait. The event loop gets a turn every few hundred entries.
   */
  async *#playables(params: StreamParams, signal: AbortSignal): AsyncGenerator<Ready> {
    const idle = new Backoff(IDLE_RETRY)
    let pass = this.#pass
    let order = this.#order(pass.files)
    let last: string | undefined
    while (!signal.aborted) {
      let found = false
      for (const [index, file] of order.entries()) {
        if (index % ENTRIES_PER_TURN === ENTRIES_PER_TURN - 1) await nextTurn()
        if (signal.aborted) return
        const ready = await this.#ready(file, pass.listings, params)
        if (!ready) continue
        found = true
        last = file.path
        this.#skips.flush()
        yield ready
      }
      this.#skips.flush()
      if (found) idle.reset()
      else {
        const wait = idle.next()
        this.#log.error(`nothing in the playlist is playable; looking again in ${wait / 1000} s`)
        this.#nothingAhead?.()
        await this.#clock.sleep(wait, signal)
        if (signal.aborted) return
      }
      pass = this.#pass = await this.#resolve().catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error)
        this.#log.error(`rescanning the playlist failed (${reason}); playing the files of the last scan`)
        return pass
      })
      order = this.#order(pass.files, last)
    }
  }

  /** Probes a file and reads its tags if it can play on this mount; notes why not otherwise. */
  async #ready(file: ResolvedFile, listings: FolderListings, params: StreamParams): Promise<Ready | undefined> {
    const probed = await probe(file.path, listings)
    if (!probed.ok) return void this.#skips.add(file, probed.reason)
    const mismatch = paramsMismatch(params, probed.value)
    if (mismatch) return void this.#skips.add(file, `does not match the mount (${mismatch})`)
    return { file, info: probed.value, tags: await readTrackTags(file.path) }
  }

  /** The order of the next loop; shuffled, it never starts with `before`, the track played just before. */
  #order(files: readonly ResolvedFile[], before?: string): ResolvedFile[] {
    return this.#options.shuffle ? this.#shuffled(files, before) : [...files]
  }

  /** Resolves the playlist anew, against fresh listings of its folders. */
  async #resolve(): Promise<Pass> {
    const log = this.#log
    const dedupe: Logger = {
      ...log,
      warn: (message) => {
        if (this.#warned.has(message)) return
        this.#warned.add(message)
        log.warn(message)
      },
    }
    const listings = new FolderListings()
    const files = await resolvePlaylist(this.#options.entries, {
      baseDir: this.#options.baseDir,
      log: dedupe,
      listings,
    })
    return { files, listings }
  }

  #shuffled(files: readonly ResolvedFile[], before: string | undefined): ResolvedFile[] {
    const random = this.#options.random ?? Math.random
    const out = [...files]
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[out[i], out[j]] = [out[j]!, out[i]!]
    }
    if (out.length > 1 && out[0]!.path === before) {
      const j = 1 + Math.floor(random() * (out.length - 1))
      ;[out[0], out[j]] = [out[j]!, out[0]!]
    }
    return out
  }
}
