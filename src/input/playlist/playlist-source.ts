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

/** Why no file of a playlist could be played, file by file. */
export class PlaylistError extends Error {
  readonly failures: readonly { path: string; reason: string }[]
  constructor(message: string, failures: readonly { path: string; reason: string }[]) {
    super(`${message}${failures.map((f) => `\n  ${f.path}: ${f.reason}`).join('')}`)
    this.name = 'PlaylistError'
    this.failures = failures
  }
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
  #upcoming: string | undefined
  #skip = false
  #params: (StreamParams & { bitrate: number }) | undefined

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
    const failures: { path: string; reason: string }[] = []
    for (const path of this.#files) {
      const probe = await probeAudioFile(path)
      const reason = !probe.ok
        ? probe.reason
        : this.#options.format && probe.value.format !== this.#options.format
        ? `is ${probe.value.format.toUpperCase()}, the mount is ${this.#options.format.toUpperCase()}`
        : undefined
      if (probe.ok && reason === undefined) {
        for (const failure of failures) this.#warnOnce(failure.path, failure.reason)
        this.#params = {
          format: probe.value.format,
          sampleRate: probe.value.sampleRate,
          channels: probe.value.channels,
          bitrate: probe.value.bitrate,
        }
        return probe.value
      }
      failures.push({ path, reason: reason ?? 'unplayable' })
    }
    throw new PlaylistError(
      `nothing in the playlist is playable (${failures.length} file${failures.length === 1 ? '' : 's'}):`,
      failures,
    )
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

  /** The file expected to play after the current one (a guess: it may turn out unplayable). */
  get upcoming(): string | undefined {
    return this.#upcoming
  }

  /** Yields the playlist's frames, track after track, looping until `close()`. */
  async *frames(): AsyncGenerator<SourceFrame> {
    const params = this.params
    const idle = new Backoff(IDLE_RETRY)
    let order = this.#order(this.#files)
    let prefetched: { path: string; prepared: Promise<Prepared> } | undefined
    while (!this.#stop.signal.aborted) {
      let played = false
      let nextOrder: Promise<string[]> | undefined
      for (const [index, path] of order.entries()) {
        if (this.#stop.signal.aborted) return
        if (index === order.length - 1) {
          nextOrder = this.#resolve().then((files) => this.#order(this.#files = files, path))
        }
        const { probe, tags } = await (prefetched?.path === path ? prefetched.prepared : this.#prepare(path))
        // While this file plays, find and probe the next one, so a slow disk never delays the switch.
        void (nextOrder ? nextOrder.then((next) => next[0]) : Promise.resolve(order[index + 1])).then((next) => {
          this.#upcoming = next
          prefetched = next ? { path: next, prepared: this.#prepare(next) } : undefined
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
