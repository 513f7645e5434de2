import type { Mount, MountEvent } from '../mount/mount.ts'
import type { ListenersEventJson, TrackEventJson } from '../web/client/api-types.d.ts'
import { onAirJson } from './mount-json.ts'

/** One open event stream, as a mount's fan-out sees it. */
export interface EventClient {
  /** Whether its events name their mount (`/api/events` carries several). */
  readonly tagged: boolean
  /** Queues an event's bytes for the client. */
  send(bytes: Uint8Array): void
  /** The mount stopped: it sends nothing more. */
  ended(): void
}

/** Clients written to before the event loop gets a turn (to accept a listener, say). */
const BATCH = 250

const encoder = new TextEncoder()

/**
 * An event's bytes on the wire (one `data:` line: JSON has no line breaks).
 *
 * @example
 * client.send(encodeEvent('listeners', { current: 3, peak: 5, unique: 2 }))
 */
export const encodeEvent = (event: string, data: TrackEventJson | ListenersEventJson, id?: number): Uint8Array =>
  encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n${id !== undefined ? `id: ${id}\n` : ''}\n`)

/**
 * A mount's current track as an event, stamped with the live position, if something is on air.
 *
 * @example
 * const bytes = trackEvent(mount, false)
 */
export const trackEvent = (mount: Mount, tagged: boolean): Uint8Array | undefined => {
  const onAir = mount.onAir
  // Track ids are per mount: only a single mount's stream can name its events by them.
  return onAir && encodeEvent('track', {
    ...(tagged && { mount: mount.path }),
    ...onAirJson(onAir),
    live: mount.position,
  }, tagged ? undefined : onAir.track.id)
}

/**
 * A mount's listener counts as an event.
 *
 * @example
 * client.send(listenersEvent(mount, mount.listenerCounts(), true))
 */
export const listenersEvent = (mount: Mount, counts: ListenersEventJson, tagged: boolean): Uint8Array =>
  encodeEvent('listeners', { ...(tagged && { mount: mount.path }), ...counts })

const yieldToLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/**
 * Every open event stream of one mount, fed from one subscription to it: each event is serialised
 * once (twice with `/api/events`' mount name) and written to the clients in batches, letting the
 * event loop turn between them, so thousands of open pages never hold up a listener joining.
 * Events reach each client in order; the subscription ends with the last client.
 */
class MountEvents {
  readonly #mount: Mount
  readonly #clients = new Set<EventClient>()
  readonly #queue: MountEvent[] = []
  #unsubscribe: (() => void) | undefined
  #draining = false
  #lastCounts = ''

  constructor(mount: Mount) {
    this.#mount = mount
  }

  get size(): number {
    return this.#clients.size
  }

  add(client: EventClient): () => void {
    this.#clients.add(client)
    this.#unsubscribe ??= this.#mount.observe((event) => {
      this.#queue.push(event)
      if (!this.#draining) void this.#drain()
    })
    return () => {
      this.#clients.delete(client)
      if (this.#clients.size > 0) return
      this.#unsubscribe?.()
      this.#unsubscribe = undefined
    }
  }

  async #drain(): Promise<void> {
    this.#draining = true
    for (let event = this.#queue.shift(); event; event = this.#queue.shift()) {
      const clients = [...this.#clients]
      if (event.type === 'end') {
        for (const client of clients) client.ended()
        continue
      }
      if (event.type === 'listeners') {
        const text = JSON.stringify(event.listeners)
        if (text === this.#lastCounts) continue
        this.#lastCounts = text
      }
      const forms = new Map<boolean, Uint8Array | undefined>()
      const bytesFor = (tagged: boolean) => {
        if (!forms.has(tagged)) {
          forms.set(
            tagged,
            event.type === 'track'
              ? trackEvent(this.#mount, tagged)
              : listenersEvent(this.#mount, event.listeners, tagged),
          )
        }
        return forms.get(tagged)
      }
      for (let i = 0; i < clients.length; i += BATCH) {
        if (i > 0) await yieldToLoop()
        for (const client of clients.slice(i, i + BATCH)) {
          const bytes = bytesFor(client.tagged)
          if (bytes) client.send(bytes)
        }
      }
    }
    this.#draining = false
  }
}

const fanouts = new WeakMap<Mount, MountEvents>()

/**
 * Subscribes an event stream to a mount's events; returns the function that unsubscribes it.
 *
 * @example
 * const leave = subscribeEvents(mount, client)
 */
export const subscribeEvents = (mount: Mount, client: EventClient): () => void => {
  let fanout = fanouts.get(mount)
  if (!fanout) fanouts.set(mount, fanout = new MountEvents(mount))
  return fanout.add(client)
}

/**
 * How many event streams carry a mount's events now (for `/metrics`).
 *
 * @example
 * eventSubscribers(mount) // 5000 with 5,000 pages open
 */
export const eventSubscribers = (mount: Mount): number => fanouts.get(mount)?.size ?? 0
