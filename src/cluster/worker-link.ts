import type { Socket } from 'node:net'
import type { CloseReason } from '../broadcast/listener.ts'
import type { ListenOptions } from '../http/listen.ts'
import { join, screen } from '../http/listen.ts'
import type { Logger } from '../log.ts'
import type { TlsSource } from '../net/tls-files.ts'
import type { Station } from '../station/station.ts'
import type { LinkMessage } from './link.ts'
import { Link } from './link.ts'
import type { Chunk } from '../pipeline/chunk.ts'
import type { EdgeMount, JoinRequest, Setup } from './messages.ts'
import { chunkMessage } from './messages.ts'
import { RemoteListener } from './remote-listener.ts'

export interface WorkerLinkOptions {
  readonly station: Station
  readonly listen: ListenOptions
  readonly log: Logger
  /** Called with the port the worker's HTTP server bound, once it is serving. */
  readonly onReady: (port: number) => void
  /** Called when the worker could not listen (with the system's code, e.g. `EADDRINUSE`). */
  readonly onFailed: (message: string, code: string | undefined) => void
  readonly onClose: () => void
  /** HTTPS on the worker's port: sent with the setup, and again at each renewal. */
  readonly tls?: TlsSource
}

/** What a worker needs to know of each mount. */
const edgeMounts = (station: Station): EdgeMount[] =>
  [...station.mounts.values()].map((mount) => ({
    path: mount.path,
    burst: mount.config.burst,
    slowLimit: mount.config.slowListenerLimit,
    highWaterMark: mount.broadcaster.highWaterMark,
    metaint: mount.config.metaint,
    ...(mount.config.streamUrl !== undefined && { streamUrl: mount.config.streamUrl }),
  }))

/**
 * The station's end of one worker's link: sends it the setup, each mount's burst and then every
 * chunk as it is published; admits the listeners it asks for (as `RemoteListener`s, so they are
 * counted, listed, kicked and moved with all others) and follows their bytes and departures.
 * When the link closes, the worker's listeners are gone.
 *
 * @example
 * const worker = new WorkerLink(socket, setup, { station, listen, log, onReady, onClose })
 */
export class WorkerLink {
  readonly #link: Link
  readonly #options: WorkerLinkOptions
  readonly #listeners = new Map<number, RemoteListener>()
  readonly #untap: (() => void)[] = []

  constructor(socket: Socket, setup: Omit<Setup, 't' | 'mounts'>, options: WorkerLinkOptions) {
    this.#options = options
    this.#link = new Link(socket, (message) => this.#receive(message), () => this.#closed())
    const { station } = options
    const { tls } = options
    this.#link.send({
      ...setup,
      t: 'setup',
      mounts: edgeMounts(station),
      ...(tls && { tls: { cert: tls.current.cert, key: tls.current.key } }),
    })
    if (tls) this.#untap.push(tls.onChange(({ cert, key }) => this.#link.send({ t: 'tls', cert, key })))
    for (const mount of station.mounts.values()) {
      const { path, broadcaster } = mount
      let linkSent: number | undefined
      const send = (chunk: Chunk) => {
        this.#link.send(...chunkMessage(path, chunk, chunk.link !== undefined && chunk.link.id !== linkSent))
        linkSent = chunk.link?.id
      }
      for (const chunk of broadcaster.burst.chunks()) send(chunk)
      this.#untap.push(broadcaster.tap((event) => {
        if (event.type === 'chunk') send(event.chunk)
        else this.#link.send({ t: 'clear', m: path })
      }))
    }
  }

  /** Listeners this worker serves now. */
  get size(): number {
    return this.#listeners.size
  }

  /** Asks the worker to finish its listeners' responses and exit. */
  stop(): void {
    this.#link.send({ t: 'stop' })
  }

  close(): void {
    this.#link.close()
  }

  #receive({ head }: LinkMessage): void {
    if (head.t === 'join') {
      void this.#join(head as unknown as JoinRequest)
    } else if (head.t === 'sent') {
      const { ids, bytes } = head as unknown as { ids: number[]; bytes: number[] }
      ids.forEach((id, i) => this.#listeners.get(id)?.report(bytes[i]!))
    } else if (head.t === 'left') {
      const { id, reason, sent } = head as unknown as { id: number; reason: CloseReason; sent: number }
      this.#listeners.get(id)?.left(reason, sent)
    } else if (head.t === 'ready') this.#options.onReady((head as unknown as { port: number }).port)
    else if (head.t === 'failed') {
      const { message, code } = head as unknown as { message: string; code?: string }
      this.#options.onFailed(message, code)
    }
  }

  async #join(request: JoinRequest): Promise<void> {
    const { r } = request
    const mount = this.#options.station.mount(request.m)
    const asked = { url: request.url, headers: new Headers(request.headers as [string, string][]) }
    const info = mount && screen(mount, request.info, asked.headers, this.#options.listen)
    const joined = !mount
      ? new Response(`No mount at ${request.m}\n`, { status: 404 })
      : info instanceof Response
      ? info
      : await join(mount, info!, request.icy, this.#options.listen, asked, (o) => new RemoteListener(o, this.#link))
    if (joined instanceof Response) {
      const body = await joined.text()
      this.#link.send({ t: 'refused', r, status: joined.status, headers: [...joined.headers], body })
      return
    }
    const listener = joined.listener as RemoteListener
    this.#listeners.set(listener.id, listener)
    void listener.closed.then(() => this.#listeners.delete(listener.id))
    this.#link.send({ t: 'joined', r, id: listener.id, serving: listener.host?.name, headers: [...joined.headers] })
  }

  #closed(): void {
    for (const untap of this.#untap.splice(0)) untap()
    for (const listener of [...this.#listeners.values()]) listener.left('error', listener.bytesSent)
    this.#options.onClose()
  }
}
