import { randomUUID } from 'node:crypto'
import type { Server, Socket } from 'node:net'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { ListenOptions } from '../http/listen.ts'
import type { Logger } from '../log.ts'
import { listenServer } from '../net/listen-server.ts'
import type { TlsSource } from '../net/tls-files.ts'
import type { Runtime, WorkerProcess } from '../runtime/types.ts'
import type { Station } from '../station/station.ts'
import { EDGE_ENV } from './edge.ts'
import type { EdgeEnv } from './edge.ts'
import type { ForwardTarget } from './forward.ts'
import { MessageReader } from './link.ts'
import { WorkerLink } from './worker-link.ts'

export interface WorkerPoolOptions {
  readonly count: number
  readonly runtime: Runtime
  readonly station: Station
  readonly listen: ListenOptions
  /** Where the workers listen for listeners. */
  readonly hostname: string
  readonly port: number
  /** The station's door for what workers forward. */
  readonly forward: ForwardTarget
  readonly log: Logger
  readonly logLevel: string
  /** HTTPS on the workers' port. */
  readonly tls?: TlsSource
}

/** Milliseconds a worker has to start serving. */
const START_TIMEOUT_MS = 30_000
/** Milliseconds a worker has to finish after being told to stop. */
const STOP_TIMEOUT_MS = 5000

/** The module a worker process runs: `worker.ts` beside the station's own modules (`worker.js` once built). */
const WORKER_ENTRY = fileURLToPath(
  new URL(import.meta.url.endsWith('.js') ? '../worker.js' : '../worker.ts', import.meta.url),
)

interface Slot {
  readonly index: number
  process?: WorkerProcess
  link?: WorkerLink
  startedAt: number
  crashes: number
  ready?: { resolve: (port: number) => void; reject: (error: Error) => void }
}

/** An error a worker reported when it could not listen, with the system's code (`EADDRINUSE`). */
export class WorkerListenError extends Error {
  readonly code: string | undefined
  constructor(message: string, code: string | undefined) {
    super(message)
    this.code = code
  }
}

/**
 * The station's worker processes, each serving listeners on the same port (see `Runtime.spawnWorker`
 * for each runtime's way), all fed by this one station over a local link. A worker that dies is
 * replaced (after a growing pause if it keeps dying); its listeners' players reconnect.
 *
 * @example
 * const pool = await WorkerPool.start({ count: 2, runtime, station, listen, hostname, port, forward, log, logLevel })
 * pool.port // the port the workers share
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions
  readonly #slots: Slot[]
  readonly #token = randomUUID()
  #server: Server | undefined
  #linkPort = 0
  #port: number
  #stopping = false

  private constructor(options: WorkerPoolOptions) {
    this.#options = options
    this.#port = options.port
    this.#slots = Array.from({ length: options.count }, (_, index) => ({ index: index + 1, startedAt: 0, crashes: 0 }))
  }

  /** Starts the workers, the first one alone (it binds the port, which the others then share); rejects if one cannot serve. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options)
    try {
      await pool.#open()
      pool.#port = await pool.#spawn(pool.#slots[0]!)
      await Promise.all(pool.#slots.slice(1).map((slot) => pool.#spawn(slot)))
    } catch (error) {
      await pool.stop()
      throw error
    }
    return pool
  }

  /** The port the workers serve on. */
  get port(): number {
    return this.#port
  }

  /** The workers' process ids (those running now). */
  get pids(): number[] {
    return this.#slots.flatMap((slot) => (slot.process?.pid ? [slot.process.pid] : []))
  }

  /** Tells every worker to end its listeners' responses and exit; kills those that do not within 5 s. */
  async stop(): Promise<void> {
    this.#stopping = true
    await Promise.all(this.#slots.map(async (slot) => {
      const running = slot.process
      if (!running) return
      slot.link?.stop()
      const timer = setTimeout(() => running.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await running.exited
      clearTimeout(timer)
    }))
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()))
  }

  async #open(): Promise<void> {
    this.#server = createServer((socket) => this.#greet(socket))
    this.#linkPort = (await listenServer(this.#server, 0, '127.0.0.1', () => {})).port
  }

  /** A new connection on the link port: a worker, if its first message says hello with the token. */
  #greet(socket: Socket): void {
    const reader = new MessageReader()
    socket.on('error', () => socket.destroy())
    const onData = (data: Uint8Array) => {
      let hello
      try {
        hello = reader.push(data)[0]?.head
      } catch {
        return void socket.destroy()
      }
      if (!hello) return
      socket.off('data', onData)
      const slot = this.#slots.find((s) => s.index === hello.index)
      if (hello.t !== 'hello' || hello.token !== this.#token || !slot || this.#stopping) return void socket.destroy()
      this.#attach(slot, socket)
    }
    socket.on('data', onData)
  }

  #attach(slot: Slot, socket: Socket): void {
    const { station, listen, hostname, forward, logLevel, log, tls } = this.#options
    const port = this.#options.runtime.sharePortAs === 'requested' ? this.#options.port : this.#port
    slot.link = new WorkerLink(socket, { forward, listen: { hostname, port }, logLevel }, {
      station,
      listen,
      log,
      ...(tls && { tls }),
      onReady: (port) => slot.ready?.resolve(port),
      onFailed: (message, code) => slot.ready?.reject(new WorkerListenError(message, code)),
      onClose: () => {
        slot.link = undefined
        slot.ready?.reject(new Error(`worker ${slot.index} closed its link before serving`))
      },
    })
  }

  /** Starts the worker of `slot`; resolves with the port it serves on. */
  #spawn(slot: Slot): Promise<number> {
    const { runtime, log } = this.#options
    const env: EdgeEnv = { link: this.#linkPort, token: this.#token, index: slot.index }
    const started = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker ${slot.index} did not start serving within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      )
      slot.ready = {
        resolve: (port) => (clearTimeout(timer), slot.ready = undefined, resolve(port)),
        reject: (error) => (clearTimeout(timer), slot.ready = undefined, reject(error)),
      }
    })
    const running = runtime.spawnWorker(WORKER_ENTRY, {
      [EDGE_ENV]: JSON.stringify(env),
      AIRWAVE_LOG_LEVEL: this.#options.logLevel,
    })
    slot.process = running
    slot.startedAt = Date.now()
    void running.exited.then((code) => {
      if (slot.process !== running) return
      slot.process = undefined
      slot.ready?.reject(new Error(`worker ${slot.index} exited (${code}) before serving`))
      if (this.#stopping) return
      const short = Date.now() - slot.startedAt < 10_000
      slot.crashes = short ? slot.crashes + 1 : 0
      const pause = short ? Math.min(30_000, 500 * 2 ** slot.crashes) : 100
      log.warn(
        `worker ${slot.index} (pid ${running.pid}) exited (${code}); its listeners will reconnect; starting another in ${
          (pause / 1000).toFixed(1)
        } s`,
      )
      setTimeout(() => {
        if (this.#stopping) return
        this.#spawn(slot).then(
          () => log.info(`worker ${slot.index} serving again (pid ${slot.process?.pid})`),
          (error) => log.error(`worker ${slot.index}: ${error.message}`),
        )
      }, pause)
    })
    return started
  }
}
