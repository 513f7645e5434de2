import { connect, createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import type { Frame } from '../../src/format/frame.ts'
import { frameDuration } from '../../src/format/frame.ts'
import { basicAuth } from './source-client.ts'

/** How a paced stream ends: cleanly after its last whole frame, or mid-frame (an encoder killed, a link cut). */
export type Ending = 'clean' | 'mid-frame'

/** A paced stream in progress: `cut()` ends it mid-frame now. */
interface Pacing {
  done: Promise<void>
  cut(): void
}

/**
 * Writes `frames` (looped) to a socket in real time for `seconds` (or until `cut()`), then ends:
 * after a whole frame, or after half of the next one. `done` resolves once the socket is closed.
 */
const pace = (socket: Socket, frames: readonly Frame[], seconds: number, ending: Ending): Pacing => {
  let stopAt = seconds
  let end = ending
  const done = new Promise<void>((resolve) => {
    const start = performance.now()
    let sent = 0
    let next = 0
    const timer = setInterval(() => {
      const due = Math.min(stopAt, (performance.now() - start) / 1000 + 0.5)
      while (sent < due) {
        const frame = frames[next++ % frames.length]!
        socket.write(frame.data)
        sent += frameDuration(frame)
      }
      if (sent < stopAt) return
      clearInterval(timer)
      if (end === 'mid-frame') socket.write(frames[next % frames.length]!.data.subarray(0, 137))
      // Give the kernel the last bytes, then cut the connection without a goodbye.
      setTimeout(() => (end === 'mid-frame' ? socket.destroy() : socket.end()), 50)
    }, 50)
    socket.on('close', () => {
      clearInterval(timer)
      resolve()
    })
    socket.on('error', () => {})
  })
  return {
    done,
    cut: () => {
      stopAt = 0
      end = 'mid-frame'
    },
  }
}

/**
 * A source client that streams whole frames at the stream's rate to a source port (`PUT` with
 * `Expect: 100-continue`), then stops as `ending` says. Resolves when its connection is closed.
 *
 * @example
 * await pacedSource(sourcePort, '/live', frames, { seconds: 2, ending: 'mid-frame', contentType: 'audio/mpeg' })
 */
export const pacedSource = (
  port: number,
  mount: string,
  frames: readonly Frame[],
  options: { seconds: number; ending: Ending; contentType: string; password?: string },
): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let head = ''
    socket.on('connect', () =>
      socket.write(
        `PUT ${mount} HTTP/1.1\r\nAuthorization: ${basicAuth('source', options.password ?? 's3cret')}\r\n` +
          `Content-Type: ${options.contentType}\r\nExpect: 100-continue\r\nice-name: Paced DJ\r\n\r\n`,
      ))
    const onData = (data: Buffer) => {
      head += data.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      socket.off('data', onData)
      if (!/^HTTP\/1\.[01] (100|200)/.test(head)) return reject(new Error(`source refused: ${head}`))
      // Once on air, the feed ends when its connection closes, however: a reset as it ends mid-frame
      // is told, not thrown (what the listeners got is what the tests judge).
      socket.off('error', reject)
      socket.once('error', (error: NodeJS.ErrnoException) =>
        console.log(`paced source on ${mount}: ${error.code ?? error.message} as the feed ended`))
      void pace(socket, frames, options.seconds, options.ending).done.then(resolve)
    }
    socket.on('data', onData)
    socket.on('error', reject)
  })

/**
 * An upstream server for relays: answers each connection `ICY 200 OK` (no metadata) and streams
 * `frames` in real time until closed, or until `cut()` ends the latest connection mid-frame.
 */
export const pacedUpstream = async (frames: readonly Frame[]) => {
  const sockets = new Set<Socket>()
  let latest: Pacing | undefined
  let connections = 0
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.once('data', () => {
      connections++
      socket.write('ICY 200 OK\r\nicy-name: Paced Upstream\r\ncontent-type: audio/mpeg\r\n\r\n')
      latest = pace(socket, frames, Number.POSITIVE_INFINITY, 'clean')
    })
    socket.on('error', () => {})
  }).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`,
    get connections() {
      return connections
    },
    /** Ends the latest connection mid-frame, as a dying server or a cut link would. */
    cut: () => latest?.cut(),
    close: () => {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}
