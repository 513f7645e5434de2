import type { Socket } from 'node:net'
import type { Server } from 'node:tls'
import { createServer } from 'node:tls'
import type { TlsSource } from './tls-files.ts'

const ignore = () => {}

/**
 * A `node:tls` server that serves each new pair `tls` announces to the connections made after it
 * (`setSecureContext`; those already open keep theirs). `onSecure` gets each decrypted connection;
 * `onTcp` every TCP connection, before its handshake too, so that closing the port can end them
 * all. A client that gives up during the handshake, or speaks plain HTTP to it, is dropped without
 * a word.
 *
 * @example
 * const server = renewingTlsServer(tlsFiles, 10_000, (socket) => serve(socket), (socket) => sockets.add(socket))
 */
export const renewingTlsServer = (
  tls: TlsSource,
  handshakeTimeout: number,
  onSecure: (socket: Socket) => void,
  onTcp: (socket: Socket) => void,
): Server => {
  const server = createServer({ ...tls.current, handshakeTimeout }, onSecure)
  server.on('connection', onTcp)
  server.on('tlsClientError', ignore)
  const stop = tls.onChange((pair) => server.setSecureContext({ ...pair }))
  server.once('close', stop)
  return server
}
