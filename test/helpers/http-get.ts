import type { IncomingMessage } from 'node:http'
import { request } from 'node:http'

/** An answer being read: status, headers, bytes so far, and whether (and when) the server ended it. */
export interface OpenAnswer {
  readonly status: number
  readonly headers: IncomingMessage['headers']
  /** Bytes of body received so far. */
  received(): number
  /** The body as text, once ended. */
  text(): string
  /** Resolves when the server ends the response (or the connection closes). */
  readonly ended: Promise<void>
  close(): void
}

/**
 * A `GET` with `node:http`, whose answer is read as it comes: unlike `fetch`, it can connect from a
 * chosen local address (`127.0.0.2`: another listener address on loopback).
 *
 * @example
 * const answer = await httpGet(`${url}/radio`, { localAddress: '127.0.0.2' })
 * expect(answer.status).toBe(403)
 */
export const httpGet = (
  url: string,
  options: { headers?: Record<string, string>; localAddress?: string } = {},
): Promise<OpenAnswer> =>
  new Promise((resolve, reject) => {
    const req = request(url, { headers: options.headers, localAddress: options.localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      const ended = new Promise<void>((done) => {
        res.on('end', done)
        res.on('close', done)
        res.on('error', () => done())
      })
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (chunks.length < 64) chunks.push(chunk)
      })
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        received: () => size,
        text: () => Buffer.concat(chunks).toString('utf8'),
        ended,
        close: () => req.destroy(),
      })
    })
    req.on('error', reject)
    req.end()
  })
