import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { dropConnection } from './socket-sink.ts'
import type { DirectResponse } from './direct-sink.ts'
import { directResponse } from './direct-sink.ts'

/**
 * Writes a listener's bytes to its `node:http` response (when `node:http` serves the listener:
 * `createApp` in your own Node server) without a `ReadableStream` in between (`direct-sink.ts`).
 *
 * @example
 * const direct = nodeResponseSink(c.env.outgoing, streamHeaders)
 * const listener = new Listener({ ...options, openSink: direct.open })
 * return direct.response
 */
export const nodeResponseSink = (outgoing: ServerResponse, headers: Headers): DirectResponse => {
  const direct = directResponse({
    stream: outgoing,
    open: () => !outgoing.destroyed && !outgoing.writableEnded,
    writeHead: (head) => void outgoing.writeHead(200, [...head].flat()),
    abort: () => (outgoing.socket ? dropConnection(outgoing.socket as Socket) : outgoing.destroy()),
  }, headers)
  // @hono/node-server's lightweight Response answers from a cache that skips the already-sent
  // check; reading the body makes it a real Response, which the server leaves alone.
  void direct.response.body
  return direct
}
