import type { Context } from 'hono'

/**
 * What the HTTP layer needs from the runtime underneath it, per connection. Each runtime adapter
 * (`src/runtime/`) provides these; an app embedding airwave can pass its own.
 */
export interface ConnectionHooks {
  /** The client's IP address as seen on the socket. */
  clientAddress(c: Context): string | undefined
  /** The request's protocol, e.g. `HTTP/1.1` (for the access log). */
  httpVersion?(c: Context): string | undefined
  /** A listener's response starts streaming: lift idle timeouts for it. */
  keepOpen?(c: Context): void
  /** Drop the connection now, even if the client stopped reading (slow or kicked listeners). */
  closeConnection?(c: Context): void
}

/** Hooks for an unknown host: no address, no connection control. */
export const noHooks: ConnectionHooks = {
  clientAddress: () => undefined,
}
