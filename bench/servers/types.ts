import type { OpusPlaylist } from './opus.ts'

/** A server under test, started on loopback and streaming. */
export interface BenchServer {
  /** The name in the results table, e.g. `bun` or `icecast`. */
  readonly name: string
  /** What runs it, e.g. `bun 1.4.5` or `Icecast 2.4.4`. */
  readonly version: string
  /** The server process itself (not a shell or npm wrapper): the one whose CPU and RSS count. */
  readonly pid: number
  /** Helper processes that are not the server (e.g. Icecast's ffmpeg source), sampled for the record. */
  readonly helperPids: readonly number[]
  /** The stream's URL on 127.0.0.1. */
  readonly url: string
  /** Where its logs go. */
  readonly logDir: string
  /** Stops the server (and its helpers) and waits until they are gone. */
  stop(): Promise<void>
}

/** What every server starter is given. */
export interface StartOptions {
  /** A free port on 127.0.0.1. */
  readonly port: number
  /** A fresh folder for this server's logs and temporary files. */
  readonly logDir: string
  /** V8 flags for airwave on Node and Deno, instead of `START_V8_FLAGS` (those of `npm start`); refused for other servers. */
  readonly v8Flags?: readonly string[]
  /**
   * Stream this Ogg Opus playlist (`--format opus`) instead of the MP3 demo playlist: airwave plays
   * its files, Icecast's ffmpeg sends them (`concatList`) as they are.
   */
  readonly opus?: OpusPlaylist
}

/** Starts one kind of server and resolves once its stream delivers audio. */
export type ServerStarter = (options: StartOptions) => Promise<BenchServer>
