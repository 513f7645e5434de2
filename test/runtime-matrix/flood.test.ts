import { beforeAll, describe, expect, test } from 'bun:test'
import { connect } from 'node:net'
import { fixtures } from '../helpers/fixtures.ts'
import { liveRate, openListener } from '../helpers/listen-client.ts'
import { run } from '../helpers/process.ts'
import { parsePrometheusText } from '../helpers/prometheus.ts'
import { LEGS, onLoopback } from './runtimes.ts'

/** Each kind of request a flood sends, and how the client behaves after sending it. */
const KINDS = [
  { request: 'HEAD /api/events', abortAfterBytes: 0 },
  { request: 'HEAD /api/mounts/stream/events', abortAfterBytes: 0 },
  { request: 'GET /api/events', abortAfterBytes: 1 },
  { request: 'GET /api/mounts/stream/events', abortAfterBytes: 1 },
  { request: 'HEAD /stream', abortAfterBytes: 0 },
  { request: 'GET /stream', abortAfterBytes: 1 },
  { request: 'GET /stream.m3u', abortAfterBytes: 0 },
] as const
const EACH = 3000
const AT_ONCE = 40

/** Sends one request on its own connection; hangs up once the answer (or `abortAfterBytes` of it) came. */
const hit = (port: number, request: string, abortAfterBytes: number) =>
  new Promise<void>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(`${request} HTTP/1.1\r\nHost: x\r\n\r\n`))
    let received = 0
    const done = () => (socket.destroy(), resolve())
    socket.on('data', (data) => {
      received += data.length
      if (abortAfterBytes === 0 ? data.includes('\r\n\r\n') : received >= abortAfterBytes) done()
    })
    socket.on('error', done)
    socket.on('close', done)
    setTimeout(done, 5000)
  })

const gauge = async (port: number, name: string): Promise<number> => {
  const families = parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())
  return Number(families.find((f) => f.name === name)!.metrics.find((m) => m.labels?.mount === '/stream')!.value)
}

describe.each(LEGS)('on $name', (leg) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    `a flood of HEAD, GET and aborted GET requests on every streaming endpoint leaves no subscription or listener behind, and the station plays on`,
    async () => {
      const [command, ...args] = leg.cli()
      const station = run(command!, [...args, ...onLoopback(1), fixtures.mp3(4, 300), fixtures.mp3(4, 500)])
      try {
        const port = Number((await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1])
        const listener = await openListener(`http://127.0.0.1:${port}/stream`)
        const opened = performance.now()
        const requests = KINDS.flatMap((kind) => Array.from({ length: EACH }, () => kind))
        for (let i = 0; i < requests.length; i += AT_ONCE) {
          await Promise.all(requests.slice(i, i + AT_ONCE).map((k) => hit(port, k.request, k.abortAfterBytes)))
        }
        // Every aborted stream is released, every event stream unsubscribed: back to the one real listener.
        let left = { subscribers: -1, listeners: -1 }
        const deadline = performance.now() + 20_000
        while (performance.now() < deadline && !(left.subscribers === 0 && left.listeners === 1)) {
          if (left.listeners !== -1) await Bun.sleep(250)
          left = {
            subscribers: await gauge(port, 'airwave_event_subscribers'),
            listeners: await gauge(port, 'airwave_listeners'),
          }
        }
        expect(left).toEqual({ subscribers: 0, listeners: 1 })
        // The listener that stayed heard the stream at its rate all through.
        while (performance.now() - opened < 6000) await Bun.sleep(100)
        const reads = listener.reads.filter((r) => r.at > 1500)
        expect(listener.broken).toBe(false)
        expect(liveRate(reads)).toBeGreaterThan(16_000 * 0.9)
        await listener.stop()
      } finally {
        station.child.kill('SIGKILL')
      }
    },
    180_000,
  )
})
