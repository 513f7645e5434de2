import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createServer } from 'node:http'
import type { AddressInfo, Server } from 'node:net'
import { connect } from 'node:net'
import { listenerFront } from '../../src/runtime/listener-front.ts'
import type { FrontBindings } from '../../src/runtime/socket-sink.ts'
import { socketSink } from '../../src/runtime/socket-sink.ts'

/**
 * The app behind the front: `/stream` answers like a listener (its bytes written to the raw
 * connection when the front took it), anything else says how it was served.
 */
const fetch = (request: Request, env?: unknown): Response => {
  const raw = (env as Partial<FrontBindings> | undefined)?.raw
  const path = new URL(request.url).pathname
  if (path === '/stream' && raw) {
    const direct = socketSink(raw, new Headers({ 'content-type': 'audio/mpeg' }))
    const sink = direct.open(() => {})
    sink.write(new TextEncoder().encode('AUDIO'))
    setTimeout(() => sink.end(), 50)
    return direct.response
  }
  return new Response(`${raw ? 'raw' : 'http'} ${request.method} ${path}\n`, { headers: { 'x-path': path } })
}

/**
 * Writes `pieces` (a pause between each) on a fresh connection and reads until the server closes
 * it, what was read matches `until`, or 1.5 s pass.
 */
const exchange = (port: number, pieces: string[], until?: RegExp) =>
  new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    socket.on('data', (data) => {
      text += data.toString('latin1')
      if (until?.test(text)) done()
    })
    socket.on('error', () => {})
    socket.on('connect', async () => {
      for (const piece of pieces) {
        socket.write(piece)
        await Bun.sleep(20)
      }
    })
    const done = () => {
      socket.destroy()
      resolve(text)
    }
    socket.on('close', done)
    setTimeout(done, 1500)
  })

// A plain node:http server behind the front (the station's is @hono/node-server's, which would
// replace this test process's global Response): it says how it served each request.
const http = createServer((request, response) => {
  response.setHeader('x-path', request.url ?? '')
  response.end(`http ${request.method} ${request.url}\n`)
})
let front: Server
const server = { port: 0 }
beforeAll(async () => {
  front = listenerFront(http, fetch, ({ path, headers }) => path === '/stream' && !headers.has('range'))
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
  server.port = (front.address() as AddressInfo).port
})
afterAll(() => {
  front.close()
  http.closeAllConnections()
})

describe('the listener front', () => {
  test("a listener's plain GET is answered on the raw connection: its stream until the connection closes", async () => {
    const text = await exchange(server.port, ['GET /stream HTTP/1.1\r\nHost: a\r\nIcy-MetaData: 1\r\n\r\n'])
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(text).toMatch(/\r\ncontent-type: audio\/mpeg\r\n/)
    expect(text).toMatch(/\r\nconnection: close\r\n/)
    expect(text).not.toMatch(/transfer-encoding|content-length/i)
    expect(text.endsWith('\r\n\r\nAUDIO')).toBe(true)
    const old = await exchange(server.port, ['GET /stream HTTP/1.0\r\n\r\n'])
    expect(old).toMatch(/^HTTP\/1\.0 200 OK\r\n[^]*\r\n\r\nAUDIO$/)
  })

  test('a head that arrives a byte at a time is read whole', async () => {
    const head = 'GET /stream HTTP/1.1\r\nHost: a\r\n\r\n'
    expect(await exchange(server.port, head.split(''))).toMatch(/^HTTP\/1\.1 200 OK[^]*AUDIO$/)
  })

  test('everything else goes to the HTTP server with the bytes read so far, and is answered there', async () => {
    const cases: [string[], RegExp][] = [
      [['GET /page HTTP/1.1\r\nHost: a\r\n\r\n'], /^HTTP\/1\.1 200 OK[^]*\r\n\r\n[^]*http GET \/page\n/],
      [['HEAD /stream HTTP/1.1\r\nHost: a\r\n\r\n'], /^HTTP\/1\.1 200 OK/],
      [['GET /stream HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\n\r\n'], /http GET \/stream\n/],
      [['GET /stream HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n'], /^HTTP\/1\.1 (100|417)/],
      [['GET /stream HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'], /http GET \/stream\n/],
      [['GET /stream HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n'], /^HTTP\/1\.[01] 400 /],
      [
        ['GET /stream HTTP/1.1\r\nHost: a\r\n\r\nGET /page HTTP/1.1\r\nHost: a\r\n\r\n'],
        /http GET \/stream[^]*http GET \/page/,
      ],
      [['POST /stream HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi'], /http POST \/stream\n/],
      [['GE', 'T /pa', 'ge HTTP/1.1\r\nHost: a\r\n\r\n'], /http GET \/page\n/],
      [['\x16\x03\x01 not http at all\r\n\r\n'], /^HTTP\/1\.[01] 400 /],
    ]
    for (const [pieces, expected] of cases) expect(await exchange(server.port, pieces, expected)).toMatch(expected)
  })

  test('a client that hangs up before its head is whole is let go', async () => {
    const socket = connect(server.port, '127.0.0.1', () => socket.end('GET /str'))
    const closed = await new Promise<boolean>((resolve) => {
      socket.on('close', () => resolve(true))
      socket.resume()
      setTimeout(() => resolve(false), 1000)
    })
    expect(closed).toBe(true)
  })
})
