import type { AudioFormat, StreamParams } from '../../format/params.ts'
import { describeParams, paramsMismatch } from '../../format/params.ts'
import type { Logger } from '../../log.ts'
import { silentLogger } from '../../log.ts'
import type { Clock } from '../../clock.ts'
import { systemClock } from '../../clock.ts'
import type { AudioFileInfo, ProbeResult } from './audio-file.ts'
import { probeAudioFile, readAudioFrames } from './audio-file.ts'
import { Backoff } from '../../util/backoff.ts'
import { resolvePlaylist } from './resolve-playlist.ts'
import type { SourceFrame, Track, TrackTags } from '../track.ts'
import { displayTitle, nextTrackId, titleFromPath } from '../track.ts'
import { readTrackTags } from './track-tags.ts'

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
 * Why no file of a playlist could be played, file by file.
 *
 * @example
 * catch (error) { if (error instanceof PlaylistError) for (const f of error.failures) log.warn(`${f.path}: ${f.reason}`) }
 */
export class PlaylistError extends Error {
  readonly failures: readonly { path: string; reason: string }[]
  constructor(message: string, failures: readonly { path: string; reason: string }[]) {
    super(`${message}${failures.map((f) => `\n  ${f.path}: ${f.reason}`).join('')}`)
    this.name = 'PlaylistError'
    this.failures = failures
  }
}

/** How many files are probed at once when a playlist is opened. */
const PROBES_AT_ONCE = 8

/** Probes files, a few at a time; the results are in the files' order. */
const probeAll = async (files: readonly string[]): Promise<ProbeResult[]> => {
  const results: ProbeResult[] = new Array(files.length)
  let next = 0
  const worker = async () => {
    while (next < files.length) {
      const index = next++
      results[index] = await probeAudioFile(files[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, files.length) }, worker))
  return results
}

/** A file looked at before it plays. */
interface Prepared {
  probe: ProbeResult
  tags: TrackTags
}

/** How long to wait before looking again when nothing in the playlist plays: 1 s, doubling to 30 s. */
const IDLE_RETRY = { initialMs: 1_000, maxMs: 30_000 }

/**
 * The AutoDJ: plays a playlist's files in order (or shuffled anew at each loop, never repeating the
 * last track first), looping forever, rescanning folders and playlist files at each loop. A file that is missing, empty, corrupt, not audio or does not
 * match the mount's format, sample rate and channels is skipped with one log line; when nothing at
 * all is playable it waits and retries with back-off rather than spinning.
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
  readonly #stop = new AbortController()
  #files: string[] = []
  #prefetched: { path: string; prepared: Promise<Prepared> } | undefined
  #skip = false
  #params: (StreamParams & { bitrate: number }) | undefined
  #playable = 0

  constructor(options: PlaylistSourceOptions) {
    this.#options = options
    this.#log = options.log ?? silentLogger
    this.#clock = options.clock ?? systemClock
  }

  /** The stream parameters every played file must share, known once `open()` has resolved. */
  get params(): StreamParams & { bitrate: number } {
    if (!this.#params) throw new Error('PlaylistSource.open() has not completed')
    return this.#params
  }

  /** How many files the playlist resolved to at its last scan. */
  get size(): number {
    return this.#files.length
  }

  /**
   * Resolves the playlist and probes files until one is playable; its format, sample rate and
   * channels become the mount's. Throws a PlaylistError naming every file and why when none is.
   */
  async open(): Promise<AudioFileInfo> {
    this.#files = await this.#resolve()
    if (this.#files.length === 0) {
      throw new PlaylistError(
        `the playlist is empty: nothing found in ${this.#options.entries.join(', ') || '(no entries)'}`,
        [],
      )
    }
    // Every file is probed (a few at a time) so that the station can say how many will play.
    const probes = await probeAll(this.#files)
    const wanted = this.#options.format
    const first = probes.find((probe) => probe.ok && (!wanted || probe.value.format === wanted))
    const failures: { path: string; reason: string }[] = []
    let playable = 0
    for (const [index, probe] of probes.entries()) {
      const path = this.#files[index]!
      const reason = !probe.ok
        ? probe.reason
        : wanted && probe.value.format !== wanted
        ? `is ${probe.value.format.toUpperCase()}, the mount is ${wanted.toUpperCase()}`
        : first?.ok && paramsMismatch(first.value, probe.value)
        ? `does not match the mount (${paramsMismatch(first.value, probe.value)})`
        : undefined
      if (reason === undefined) playable++
      else failures.push({ path, reason })
    }
    if (!first?.ok) {
      throw new PlaylistError(
        `nothing in the playlist is playable (${failures.length} file${failures.length === 1 ? '' : 's'}):`,
        failures,
      )
    }
    for (const failure of failures) this.#warnOnce(failure.path, failure.reason)
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
   * The track expected to play after the current one, with its tags (a guess: it may turn out
   * unplayable); it has no id until it goes on air.
   */
  async upcoming(): Promise<Track | undefined> {
    const prefetched = this.#prefetched
    if (!prefetched) return undefined
    const { probe, tags } = await prefetched.prepared
    if (!probe.ok) return undefined
    return {
      id: 0,
      origin: 'playlist',
      path: prefetched.path,
      title: displayTitle(tags, titleFromPath(prefetched.path)),
      ...tags,
    }
  }

  /** Yields the playlist's frames, track after track, looping until `close()`. */
  async *frames(): AsyncGenerator<SourceFrame> {
    const params = this.params
    const idle = new Backoff(IDLE_RETRY)
    let order = this.#order(this.#files)
    while (!this.#stop.signal.aborted) {
      let played = false
      let nextOrder: Promise<string[]> | undefined
      for (const [index, path] of order.entries()) {
        if (this.#stop.signal.aborted) return
        if (index === order.length - 1) {
          nextOrder = this.#resolve().then((files) => this.#order(this.#files = files, path))
        }
        const prefetched = this.#prefetched
        const { probe, tags } = await (prefetched?.path === path ? prefetched.prepared : this.#prepare(path))
        // While this file plays, find and probe the next one, so a slow disk never delays the switch.
        void (nextOrder ? nextOrder.then((next) => next[0]) : Promise.resolve(order[index + 1])).then((next) => {
          this.#prefetched = next ? { path: next, prepared: this.#prepare(next) } : undefined
        })
        if (!probe.ok) {
          this.#warnOnce(path, probe.reason)
          continue
        }
        const mismatch = paramsMismatch(params, probe.value)
        if (mismatch) {
          this.#warnOnce(path, `does not match the mount (${mismatch})`)
          continue
        }
        const track: Track = {
          id: nextTrackId(),
          origin: 'playlist',
          path,
          title: displayTitle(tags, titleFromPath(path)),
          ...tags,
          duration: tags.duration ?? ((probe.value.end - probe.value.start) * 8) / (probe.value.bitrate * 1000),
        }
        this.#skip = false
        let dropped = 0
        try {
          for await (const frame of readAudioFrames(probe.value)) {
            if (frame.sampleRate !== params.sampleRate || frame.channels !== params.channels) {
              dropped++
              continue
            }
            played = true
            yield { frame, track }
            if (this.#stop.signal.aborted) return
            if (this.#skip) break
          }
        } catch (error) {
          this.#warnOnce(path, `read failed: ${error instanceof Error ? error.message : String(error)}`)
        }
        if (dropped > 0) this.#warnOnce(path, `dropped ${dropped} frame(s) that are not ${describeParams(params)}`)
      }
      if (played) idle.reset()
      else {
        const wait = idle.next()
        this.#log.error(`nothing in the playlist is playable; looking again in ${wait / 1000} s`)
        await this.#clock.sleep(wait, this.#stop.signal)
      }
      if (this.#stop.signal.aborted) return
      order = nextOrder ? await nextOrder : this.#order(this.#files = await this.#resolve(), order.at(-1))
    }
  }

  /** Probes a file and reads its tags (if it is playable). */
  async #prepare(path: string): Promise<Prepared> {
    const probe = await probeAudioFile(path)
    return { probe, tags: probe.ok ? await readTrackTags(path) : {} }
  }

  /** The order of the next loop; shuffled, it never starts with `before`, the track played just before. */
  #order(files: readonly string[], before?: string): string[] {
    return this.#options.shuffle ? this.#shuffled(files, before) : [...files]
  }

  #resolve(): Promise<string[]> {
    const log = this.#log
    const dedupe: Logger = {
      ...log,
      warn: (message) => {
        if (this.#warned.has(message)) return
        this.#warned.add(message)
        log.warn(message)
      },
    }
    return resolvePlaylist(this.#options.entries, { baseDir: this.#options.baseDir, log: dedupe })
  }

  #warnOnce(path: string, reason: string): void {
    const key = `${path}\0${reason}`
    if (this.#warned.has(key)) return
    this.#warned.add(key)
    this.#log.warn(`skipping ${path}: ${reason}`)
  }

  #shuffled(files: readonly string[], before: string | undefined): string[] {
    const random = this.#options.random ?? Math.random
    const out = [...files]
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[out[i], out[j]] = [out[j]!, out[i]!]
    }
    if (out.length > 1 && out[0] === before) {
      const j = 1 + Math.floor(random() * (out.length - 1))
      ;[out[0], out[j]] = [out[j]!, out[0]!]
    }
    return out
  }
}
