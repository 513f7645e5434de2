import type { Clock } from '../clock.ts'
import type { MountConfig } from '../config/schema.ts'
import type { Logger } from '../log.ts'
import { RelayClient } from '../input/relay/relay-client.ts'
import type { SourceTarget } from '../input/source.ts'

export interface MountRelayOptions {
  /** The mount the relay feeds. */
  target: SourceTarget
  clock: Clock
  log: Logger
  random?: () => number
}

/**
 * A mount's relay, as its config asks: none, or a client pulling the `relay` URL, replaced when a
 * reload changes the URL (and started at once if the mount is running).
 *
 * @example
 * const relay = new MountRelay(config, { target: mount, clock, log })
 * relay.start()
 * await relay.configure(reloaded) // a new URL: the old client stops, the new one starts
 */
export class MountRelay {
  readonly #options: MountRelayOptions
  #client: RelayClient | undefined
  #url: string | undefined
  #running = false

  constructor(config: MountConfig, options: MountRelayOptions) {
    this.#options = options
    this.#client = this.#clientFor(config)
  }

  /** Starts pulling (if the mount has a relay). */
  start(): void {
    this.#running = true
    this.#client?.start()
  }

  /** Stops pulling and disconnects. */
  async stop(): Promise<void> {
    this.#running = false
    await this.#client?.stop()
  }

  /** Follows reloaded settings: a changed URL replaces the client (started if the mount runs). */
  async configure(config: MountConfig): Promise<void> {
    if (config.relay === this.#url) return
    await this.#client?.stop()
    this.#client = this.#clientFor(config)
    if (this.#running) this.#client?.start()
  }

  #clientFor(config: MountConfig): RelayClient | undefined {
    const { relay: url, name, path } = config
    this.#url = url
    const { target, clock, log, random } = this.#options
    return url ? new RelayClient({ url, target, title: name ?? path, clock, log, random }) : undefined
  }
}
