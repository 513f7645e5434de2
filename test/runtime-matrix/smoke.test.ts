import { beforeAll, describe, expect, test } from 'bun:test'
import { buildClient } from '../helpers/browser.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { readIcy } from '../helpers/icy.ts'
import { decodeWithFfmpeg, liveRate, record, splitBurst } from '../helpers/listen-client.ts'
import { run } from '../helpers/process.ts'
import { parsePrometheusText } from '../helpers/prometheus.ts'
import { LEGS, onLoopback } from './runtimes.ts'

const RATE = 16_000

beforeAll(() => buildClient(), 60_000)

describe.each(LEGS)('on $name', (leg) => {
  beforeAll(() => leg.setup(), 120_000)

  test(
    'the CLI starts a station, ffmpeg decodes it at the stream rate, titles reach ICY and SSE clients, the page, its assets and metrics are served, listeners are logged, and SIGTERM exits 0',
    async () => {
      const [command, ...args] = leg.cli()
      const station = run(command!, [
        ...args,
        ...onLoopback(2),
        fixtures.chirp(3, 200, { artist: 'Matrix', title: 'One' }),
        fixtures.chirp(3, 700, { artist: 'Matrix', title: 'Two' }),
      ])
      try {
        const [, port] = await station.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
        const url = `http://127.0.0.1:${port}/stream`
        await station.waitFor(/on air: /)
        await Bun.sleep(2100)

        const [decoded, recording] = await Promise.all([
          decodeWithFfmpeg(url, 4),
          record(url, 5000, { headers: { 'User-Agent': 'matrix-recorder' } }),
        ])
        expect(decoded).toMatchObject({ code: 0, stderr: '' })
        expect(Math.abs(decoded.seconds - 4)).toBeLessThan(0.2)

        const { firstByteMs, burstBytes, live } = splitBurst(recording)
        expect(firstByteMs).toBeLessThan(500)
        expect(burstBytes).toBeGreaterThanOrEqual(2 * RATE)
        expect(Math.abs(liveRate(live) - RATE) / RATE).toBeLessThan(0.02)

        // In-band titles for a listener that asks for them, and the events stream, on this runtime too.
        const [icy, events] = await Promise.all([
          record(url, 3500, { headers: { 'Icy-MetaData': '1', 'User-Agent': 'matrix-icy' } }),
          record(`http://127.0.0.1:${port}/api/mounts/stream/events`, 3500),
        ])
        expect(icy.headers.get('icy-metaint')).toBe('16000')
        const reading = readIcy(icy.data, 16_000)
        expect(reading.errors).toEqual([])
        expect(reading.blocks.length).toBeGreaterThanOrEqual(1)
        for (const block of reading.blocks) expect(['Matrix - One', 'Matrix - Two']).toContain(block.title!)
        const titles = [...events.data.toString().matchAll(/^event: track\n(?:id: .*\n)?data: (.*)$/gm)].map((m) =>
          JSON.parse(m[1]!).title
        )
        expect(titles.length).toBeGreaterThanOrEqual(2)
        expect(new Set(titles)).toEqual(new Set(['Matrix - One', 'Matrix - Two']))

        // The listener page, its browser modules and stylesheet from the package's own folders, and
        // the metrics, on this runtime too.
        const page = await fetch(`http://127.0.0.1:${port}/`)
        expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
        expect(await page.text()).toContain('data-mount="/stream"')
        for (
          const [asset, type] of [['player.js', 'text/javascript'], ['timeline.js', 'text/javascript'], [
            'style.css',
            'text/css',
          ]]
        ) {
          const response = await fetch(`http://127.0.0.1:${port}/assets/${asset}`, {
            headers: { 'Accept-Encoding': 'gzip' },
          })
          expect(response.status).toBe(200)
          expect(response.headers.get('content-type')).toStartWith(type!)
          expect((await response.text()).length).toBeGreaterThan(500)
        }
        const metrics = parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())
        expect(Number(metrics.find((f) => f.name === 'airwave_listener_connections_total')!.metrics[0]!.value))
          .toBeGreaterThanOrEqual(3)

        // The listeners left; each has one access-log line with its address and user agent.
        await station.waitFor(/"matrix-icy" \d+$/, 3000)
        await station.waitFor(/"matrix-recorder" \d+$/, 3000)
        // With the request's protocol where the runtime tells it (Bun does not: then none, never a guess).
        const protocol = leg.name === 'bun' ? '' : ' HTTP\\/1\\.1'
        await station.waitFor(
          new RegExp(`^127\\.0\\.0\\.1 - - \\[.*\\] "GET \\/stream${protocol}" 200 \\d+ "-" "Lavf\\/[\\d.]+" \\d+$`),
          3000,
        )

        station.child.kill('SIGTERM')
        expect(await station.exited).toBe(0)
        expect(station.stderr.some((line) => line.includes('SIGTERM: closing listeners'))).toBe(true)
        expect(station.stderr.some((line) => line.endsWith('bye'))).toBe(true)
      } finally {
        station.child.kill('SIGKILL')
      }
    },
    60_000,
  )
})
