import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { connect as connectTls } from 'node:tls'
import type { Clock } from '../clock.ts'
import type { HttpHead } from './http-head.ts'
import { HeadReader, MAX_HEAD_BYTES, parseHead } from './http-head.ts'

/** A stream response: its status, headers, the open socket (paused) and body bytes already read. */
export interface PulledStream {
  readonly status: number
  readonly reason: string
  readonly headers: ReadonlyMap<string, string>
  readonly socket: Socket
  readonly rest: Uint8Array
  /** The URL finally answered (after redirects). */
  readonly url: URL
}

export interface PullOptions {
  headers: Record<string, string>
  clock: Clock
  /** How long connecting and receiving the response head may take (ms). */
  timeoutMs: number
  signal?: AbortSignal
  /** Redirects followed at most. */
  maxRedirects?: number
}

/** A pull that failed before a response head arrived; the message says why (for logs). */
class PullError extends Error {
  override name = 'PullError'
}

const requestHead = (url: URL, headers: Record<string, string>): string => {
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.0`, `Host: ${url.host}`]
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  if (url.username || url.password) {
    lines.push(
      `Authorization: Basic ${
        Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')
      }`,
    )
  }
  return `${lines.join('\r\n')}\r\n\r\n`
}

const once = (url: URL, options: PullOptions): Promise<{ head: HttpHead; socket: Socket; rest: Uint8Array }> =>
  new Promise((resolve, reject) => {
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
    const host = url.hostname.replace(/^\[|\]$/g, '')
    const socket: Socket = url.protocol === 'https:'
      ? connectTls({ host, port, servername: host })
      : connect({ host, port })
    const stop = new AbortController()
    const reader = new HeadReader()
    const fail = (message: string) => {
      stop.abort()
      socket.destroy()
      reject(new PullError(message))
    }
    void options.clock.sleep(options.timeoutMs, stop.signal).then(() => {
      if (!stop.signal.aborted) fail(`no response within ${options.timeoutMs / 1000} s`)
    })
    options.signal?.addEventListener('abort', () => fail('stopped'), { once: true, signal: stop.signal })
    socket.once(
      url.protocol === 'https:' ? 'secureConnect' : 'connect',
      () => socket.write(requestHead(url, options.headers)),
    )
    socket.on('error', (error) => fail(error.message))
    socket.on('end', () => fail('the server closed the connection before answering'))
    const onData = (data: Uint8Array) => {
      const read = reader.push(data)
      if (!read) return
      if (read === 'too large') return fail(`response head larger than ${MAX_HEAD_BYTES} bytes`)
      const head = parseHead(read.head)
      if (!head || !/^\d{3}$/.test(head.second)) return fail('not an HTTP response')
      stop.abort()
      socket.pause()
      socket.off('data', onData)
      socket.removeAllListeners('error')
      socket.removeAllListeners('end')
      resolve({ head, socket, rest: read.rest })
    }
    socket.on('data', onData)
  })

/**
 * Opens an HTTP(S) stream with a raw HTTP/1.0 request, so the body is the rest of the connection as
 * servers send it to old players: no chunked encoding, and SHOUTcast's `ICY 200 OK` status line is
 * accepted, which fetch() would refuse. Follows redirects. The socket comes back paused.
 *
 * @example
 * const stream = await pullStream(new URL('http://origin:8000/stream'), { headers: { 'Icy-MetaData': '1' }, clock, timeoutMs: 10_000 })
 * stream.socket.on('data', onBytes).resume()
 */
export const pullStream = async (url: URL, options: PullOptions): Promise<PulledStream> => {
  let current = url
  for (let redirects = 0;; redirects++) {
    const { head, socket, rest } = await once(current, options)
    const status = Number(head.second)
    const location = head.headers.get('location')
    if (status >= 300 && status < 400 && location && redirects < (options.maxRedirects ?? 5)) {
      socket.destroy()
      current = new URL(location, current)
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        throw new PullError(`redirected to ${current.protocol} URL`)
      }
      continue
    }
    return { status, reason: head.third, headers: head.headers, socket, rest, url: current }
  }
}
