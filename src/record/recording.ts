import type { Broadcaster } from '../broadcast/broadcaster.ts'
import type { MountConfig } from '../config/schema.ts'
import type { RecorderOptions, RecordingStatus } from './recorder.ts'
import { Recorder } from './recorder.ts'

/** A mount's recorder's options: all but what its config says. */
export type RecordingOptions = Omit<RecorderOptions, 'mount' | 'timeZone'>

/**
 * A mount's recording, as its config's `record` asks: none, or a Recorder tapping its broadcast. A
 * reload that changes `record` applies at once: the file being written is closed, and the next
 * chunk goes to a file of the new settings (or nowhere).
 *
 * @example
 * const recording = new Recording(config, broadcaster, { format: () => mount.params?.format, log })
 * recording.status // { file: '2026-07-01/120000-stream.mp3', since, bytes }
 * await recording.configure(reloaded)
 */
export class Recording {
  readonly #broadcaster: Pick<Broadcaster, 'tap'>
  readonly #options: RecordingOptions
  #recorder: Recorder | undefined
  #untap: (() => void) | undefined
  #settings: string | undefined

  /** Records what `broadcaster` publishes (what the mount's listeners hear). */
  constructor(config: MountConfig, broadcaster: Pick<Broadcaster, 'tap'>, options: RecordingOptions) {
    this.#broadcaster = broadcaster
    this.#options = options
    this.#start(config)
  }

  /** The file being written, while recording. */
  get status(): RecordingStatus | undefined {
    return this.#recorder?.status
  }

  /** What went wrong with the last file, until a file is recorded again. */
  get problem(): string | undefined {
    return this.#recorder?.problem
  }

  /** Whether the mount records (its config has `record`). */
  get enabled(): boolean {
    return this.#recorder !== undefined
  }

  /** Follows reloaded settings: a changed `record` closes the file and starts afresh. */
  async configure(config: MountConfig): Promise<void> {
    if (JSON.stringify(config.record) === this.#settings) return
    await this.close()
    this.#start(config)
  }

  /** A live source connected (its first track's id): its show starts a new file. */
  liveShow(firstTrackId: number): void {
    this.#recorder?.liveShow(firstTrackId)
  }

  /** The mount went off air: the file ends. */
  offAir(): void {
    this.#recorder?.offAir()
  }

  /** Stops recording: the file is closed once what is queued is written. */
  async close(): Promise<void> {
    this.#untap?.()
    this.#untap = undefined
    const recorder = this.#recorder
    this.#recorder = undefined
    this.#settings = undefined
    await recorder?.close()
  }

  #start(config: MountConfig): void {
    this.#settings = JSON.stringify(config.record)
    if (!config.record) return
    const { baseDir, format, clock, log } = this.#options
    this.#recorder = new Recorder(config.record, {
      baseDir,
      format,
      clock,
      log,
      mount: config.path,
      timeZone: config.timeZone,
    })
    this.#untap = this.#broadcaster.tap(this.#recorder.take)
  }
}
