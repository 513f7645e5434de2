import { afterAll, describe, expect, test } from 'bun:test'
import { Hono } from 'hono'
import { acceptForwarded, forwardedHooks, forwardRequest } from '../../src/cluster/forward.ts'

/** The station's side, served as a worker would reach it: an app that tells what it saw. */
const app = new Hono()
app.get('/events', () =>
  new Response(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('event: one\n\n'))
        setTimeout(() => controller.enqueue(new TextEncoder().encode('event: two\n\n')), 100)
      },
    }),
    { headers: { 'Content-Type': 'text/event-stream' } },
  ))

app.all('*', async (c) => {
  const headers = Object.fromEntries(c.req.raw.headers)
  const body = await c.req.text()
  return c.json({
    url: c.req.url,
    method: c.req.method,
    address: forwardedHooks.clientAddress(c),
    protocol: forwardedHooks.httpVersion?.(c),
    headers,
    body: body.length,
  })
})
const token = 'door-token'
const door = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: acceptForwarded(app.fetch, token) })
afterAll(() => door.stop(true))
const target = { origin: `http://127.0.0.1:${door.port}`, token }

const seen = async (request: Request) =>
  (await (await forwardRequest(request, target, { address: '203.0.113.9', protocol: 'HTTP/1.0' })).json()) as {
    url: string
    method: string
    address: string
    protocol: string
    headers: Record<string, string>
    body: number
  }

describe('requests a worker forwards to the station', () => {
  test('arrive as the client made them: its URL, its address, exactly its headers (none the forwarding fetch adds)', async () => {
    const got = await seen(
      new Request('http://radio.example:8000/admin/stats?x=1', {
        headers: { Authorization: 'Basic eDp5', 'User-Agent': 'curl/8.5' },
      }),
    )
    expect(got.url).toBe('http://radio.example:8000/admin/stats?x=1')
    expect(got.address).toBe('203.0.113.9')
    expect(got.protocol).toBe('HTTP/1.0')
    expect(got.headers).toEqual({ authorization: 'Basic eDp5', 'user-agent': 'curl/8.5' })
  })

  test('what a client says under the door’s own header names is dropped, not believed', async () => {
    const got = await seen(
      new Request('http://radio.example/api/mounts', {
        headers: { 'X-Airwave-Client': '10.0.0.1', 'X-Airwave-Token': 'guess', 'X-Airwave-Headers': 'cookie' },
      }),
    )
    expect(got.address).toBe('203.0.113.9')
    expect(Object.keys(got.headers).filter((h) => h.startsWith('x-airwave'))).toEqual([])
  })

  test('a body is passed on; one over 64 KiB is refused with 413 and never buffered whole', async () => {
    const small = await seen(new Request('http://radio.example/admin/metadata', { method: 'POST', body: 'song=x' }))
    expect(small).toMatchObject({ method: 'POST', body: 6 })
    const huge = await forwardRequest(
      new Request('http://radio.example/admin/metadata', { method: 'POST', body: new Uint8Array(65 * 1024) }),
      target,
      {},
    )
    expect(huge.status).toBe(413)
  })

  test('a streaming answer (an event stream) streams through', async () => {
    const response = await forwardRequest(new Request('http://radio.example/events'), target, {})
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const reader = response.body!.getReader()
    let text = ''
    while (!text.includes('two')) text += new TextDecoder().decode((await reader.read()).value)
    expect(text).toBe('event: one\n\nevent: two\n\n')
    await reader.cancel()
  })

  test('the door refuses anyone without the token', async () => {
    const response = await fetch(`${target.origin}/api/mounts`, { headers: { 'X-Airwave-Client': '10.0.0.1' } })
    expect(response.status).toBe(403)
  })

  test('a station that does not answer is a 502 that says to try again', async () => {
    const response = await forwardRequest(
      new Request('http://radio.example/'),
      { origin: 'http://127.0.0.1:1', token },
      {},
    )
    expect(response.status).toBe(502)
    expect(await response.text()).toContain('try again')
  })
})
