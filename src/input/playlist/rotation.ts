import type { AudioFormat, StreamParams } from '../../format/params.ts'
import { formatLabel, paramsMismatch } from '../../format/params.ts'
import type { Logger } from '../../log.ts'
import type { Result } from '../../util/result.ts'
import { done, refused } from '../../util/result.ts'
import type { AudioFileInfo, ProbeResult } from './audio-file.ts'
import { probeAudioFile } from './audio-file.ts'
import { FolderListings } from './folder-listings.ts'
import type { ResolvedFile } from './resolve-playlist.ts'
import { resolvePlaylist } from './resolve-playlist.ts'
import type { SkipReport } from './skip-report.ts'
import { describeFailures } from './skip-report.ts'
import type { TrackTags } from '../track.ts'
import { readTrackTags } from './track-tags.ts'

/**
 * Why no file of a playlist could be played, file by file (in the message, files failing alike
 * are counted on one line).
 *
 * @example
 * catch (error) { if (error instanceof PlaylistError) for (const f of error.failures) log.warn(`${f.path}: ${f.reason}`) }
 */
export class PlaylistError extends Error {
  readonly failures: readonly { path: string; reason: string }[]
  readonly #said: string
  constructor(message: string, failures: readonly { path: string; reason: string }[]) {
    super(`${message}${describeFailures(failures)}`)
    this.name = 'PlaylistError'
    this.failures = failures
    this.#said = message
  }

  /** The same error, said of one of a mount's playlists (`schedule "Morning show"`). */
  of(playlist: string): PlaylistError {
    return new PlaylistError(`${playlist}: ${this.#said}`, this.failures)
  }
}

/** A file found playable, with its tags: ready to go on air. */
export interface Ready {
  readonly file: ResolvedFile
  readonly info: AudioFileInfo
  readonly tags: TrackTags
}

export interface RotationOptions {
  /** Files, folders and playlist files, as configured. */
  entries: readonly string[]
  /** Where relative entries are resolved (default: the working directory). */
  baseDir?: string
  shuffle?: boolean
  log: Logger
  /** Where skipped files are told (shared by a mount's rotations, so a file is told once). */
  skips: SkipReport
  random?: () => number
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

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Probes a file, answering at once (no call of its own) for one its folder's listing lacks. */
const probe = async (path: string, listings: FolderListings): Promise<ProbeResult> =>
  (await listings.kind(path)) === 'missing' ? refused('file not found') : probeAudioFile(path)

/**
 * Probes a file and reads its tags if it can play on a mount of `params`; refused with why (not
 * audio, missing, another format, sample rate or channels) if not. A file its folder's listing
 * lacks is refused without a call of its own.
 *
 * @example
 * const ready = await readyToPlay({ path: '/music/a.mp3' }, mount.params)
 */
export const readyToPlay = async (
  file: ResolvedFile,
  params: StreamParams,
  listings?: FolderListings,
): Promise<Result<Ready>> => {
  const probed = listings ? await probe(file.path, listings) : await probeAudioFile(file.path)
  if (!probed.ok) return probed
  const mismatch = paramsMismatch(params, probed.value)
  if (mismatch) return refused(`does not match the mount (${mismatch})`)
  return done({ file, info: probed.value, tags: await readTrackTags(file.path) })
}

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

/**
 * One playlist going round: its files in order (or shuffled anew at each loop, never starting a loop
 * with the track that ended the last), rescanning folders and playlist files at each loop. The next
 * playable file is found ahead of time, so files skipped in between never delay a track. A file
 * that is missing, empty, corrupt, not audio, not a regular file, or does not match the mount's
 * format, sample rate and channels is skipped and told once.
 *
 * @example
 * const rotation = new Rotation({ entries: ['~/Music'], shuffle: true, log, skips })
 * const first = await rotation.open()      // throws PlaylistError if nothing is playable
 * const ready = await rotation.take(first) // the next playable file, or undefined
 */
export class Rotation {
  readonly #options: RotationOptions
  readonly #warned = new Set<string>()
  #pass: Pass = { files: [], listings: new FolderListings() }
  #order: readonly ResolvedFile[] = []
  #index = 0
  #last: string | undefined
  #given: string | undefined
  #ahead: Promise<Ready | undefined> | undefined
  #playable = 0

  constructor(options: RotationOptions) {
    this.#options = options
  }

  /** The entries it plays, as configured. */
  get entries(): readonly string[] {
    return this.#options.entries
  }

  get shuffle(): boolean {
    return this.#options.shuffle === true
  }

  /** How many files the playlist resolved to at its last scan. */
  get size(): number {
    return this.#pass.files.length
  }

  /** How many of them were playable when it was opened. */
  get playable(): number {
    return this.#playable
  }

  /** Whether it plays exactly `entries`, shuffled or not as `shuffle` says. */
  plays(entries: readonly string[], shuffle: boolean | undefined): boolean {
    const own = this.#options.entries
    return this.shuffle === (shuffle === true) && own.length === entries.length && own.every((e, i) => e === entries[i])
  }

  /** The file `take` gave last (the one playing, or played last), if any. */
  get last(): string | undefined {
    return this.#given
  }

  /** Whether `path` was among the files at the last scan. */
  has(path: string): boolean {
    return this.#pass.files.some((file) => file.path === path)
  }

  /**
   * Resolves the playlist and probes every file (a few at a time); the first playable one is
   * returned. `wanted` narrows what plays: a format, or the stream parameters of the mount; with
   * `after` (the file a reloaded rotation played last), it carries on after that file (in order),
   * or never starts with it (shuffled). Throws a PlaylistError naming every file and why when none
   * is playable.
   */
  async open(wanted: { format?: AudioFormat; params?: StreamParams; after?: string } = {}): Promise<AudioFileInfo> {
    const pass = this.#pass = await this.#resolve()
    this.#last = this.#given = wanted.after
    this.#order = this.#ordered(pass.files, wanted.after)
    this.#index = this.shuffle || wanted.after === undefined
      ? 0
      : this.#order.findIndex((file) => file.path === wanted.after) + 1
    if (pass.files.length === 0) {
      throw new PlaylistError(
        `the playlist is empty: nothing found in ${this.#options.entries.join(', ') || '(no entries)'}`,
        [],
      )
    }
    const probes = await probeAll(pass)
    const format = wanted.format ?? wanted.params?.format
    const first = probes.find((probe) => probe.ok && (!format || probe.value.format === format))
    const like = wanted.params ?? (first?.ok ? first.value : undefined)
    const failures: { file: ResolvedFile; reason: string }[] = []
    let playable = 0
    for (const [index, probe] of probes.entries()) {
      const file = pass.files[index]!
      const reason = !probe.ok
        ? probe.reason
        : format && probe.value.format !== format
        ? `is ${formatLabel(probe.value.format)}, the mount is ${formatLabel(format)}`
        : like && paramsMismatch(like, probe.value)
        ? `does not match the mount (${paramsMismatch(like, probe.value)})`
        : undefined
      if (reason === undefined) playable++
      else failures.push({ file, reason })
    }
    if (!first?.ok || playable === 0) {
      const files = failures.length === 1 ? '1 file' : `${failures.length.toLocaleString('en-US')} files`
      throw new PlaylistError(
        `nothing in the playlist is playable (${files}):`,
        failures.map(({ file, reason }) => ({ path: file.path, reason })),
      )
    }
    for (const { file, reason } of failures) this.#options.skips.add(file, reason)
    this.#options.skips.flush()
    this.#playable = playable
    return first.value
  }

  /** The file `take` will give next (looked for now, if it was not yet). */
  peek(params: StreamParams): Promise<Ready | undefined> {
    return this.#ahead ??= this.#find(params)
  }

  /**
   * The next playable file, found ahead of time; the one after it is looked for at once. Undefined
   * when a whole fresh pass of the playlist found nothing playable (the caller waits and asks again).
   */
  async take(params: StreamParams): Promise<Ready | undefined> {
    const ready = await this.peek(params)
    if (ready) this.#given = ready.file.path
    // After a fruitless pass, the next look is made when asked (the caller waits first).
    this.#ahead = ready ? this.#find(params) : undefined
    return ready
  }

  /** Looks along the order for a playable file, rescanning at the end of each loop. */
  async #find(params: StreamParams): Promise<Ready | undefined> {
    let rescans = 0
    for (let looked = 0;; looked++) {
      if (this.#index >= this.#order.length) {
        if (rescans++ > 0) return undefined
        this.#pass = await this.#resolve().catch((error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error)
          this.#options.log.error(`rescanning the playlist failed (${reason}); playing the files of the last scan`)
          return this.#pass
        })
        this.#order = this.#ordered(this.#pass.files, this.#last)
        this.#index = 0
        continue
      }
      if (looked % ENTRIES_PER_TURN === ENTRIES_PER_TURN - 1) await nextTurn()
      const file = this.#order[this.#index++]!
      const ready = await readyToPlay(file, params, this.#pass.listings)
      if (!ready.ok) this.#options.skips.add(file, ready.reason)
      this.#options.skips.flush()
      if (ready.ok) {
        this.#last = file.path
        return ready.value
      }
    }
  }

  /** The order of the next loop; shuffled, it never starts with `before`, the track played just before. */
  #ordered(files: readonly ResolvedFile[], before?: string): ResolvedFile[] {
    if (!this.#options.shuffle) return [...files]
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

  /** Resolves the playlist anew, against fresh listings of its folders. */
  async #resolve(): Promise<Pass> {
    const log = this.#options.log
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
}
