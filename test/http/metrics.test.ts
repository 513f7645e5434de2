import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { connectTestSource, framesOf } from '../helpers/live-feed.ts'
import type { Family } from '../helpers/prometheus.ts'
import { parsePrometheusText } from '../helpers/prometheus.ts'
import { startStation } from '../helpers/station.ts'

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  station = await startStation([
    { path: '/stream', playlist: [fixtures.mp3(4)] },
    { path: '/jazz/hq', playlist: [fixtures.mp3(4, 523)] },
  ])
})
afterAll(() => station.stop())

const scrape = async () => {
  const response = await fetch(`${station.url}/metrics`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
  return parsePrometheusText(await response.text())
}

/** The value of `name` for `mount` (or of the unlabelled `name`). */
const value = (families: Family[], name: string, mount?: string): number => {
  const family = families.find((f) => f.name === name)
  const sample = family?.metrics.find((m) => m.labels?.mount === mount)
  if (!sample) throw new Error(`no ${name}${mount ? `{mount="${mount}"}` : ''}`)
  return Number(sample.value)
}

describe('GET /metrics', () => {
  test("parses as Prometheus' text format, and its numbers match the status API's", async () => {
    // An audience: two listeners of /stream (one asking for ICY metadata), one of /jazz/hq that
    // leaves; a HEAD and a range probe, which are not listeners.
    const a = await openListener(`${station.url}/stream`, { headers: { 'User-Agent': 'one' } })
    const b = await openListener(`${station.url}/stream`, { headers: { 'User-Agent': 'two', 'Icy-MetaData': '1' } })
    const c = await openListener(`${station.url}/jazz/hq`)
    await fetch(`${station.url}/stream`, { method: 'HEAD' })
    await (await fetch(`${station.url}/stream`, { headers: { Range: 'bytes=0-1' } })).arrayBuffer()
    await Bun.sleep(800)
    await c.stop()
    await Bun.sleep(300)

    const families = await scrape()
    const { mounts } = (await (await fetch(`${station.url}/api/mounts`)).json()) as {
      mounts: {
        path: string
        position: number
        listeners: { current: number; peak: number; unique: number; slowDrops: number; connections: number }
      }[]
    }
    for (const mount of mounts) {
      expect(value(families, 'airwave_listeners', mount.path)).toBe(mount.listeners.current)
      expect(value(families, 'airwave_listeners_peak', mount.path)).toBe(mount.listeners.peak)
      expect(value(families, 'airwave_listeners_unique', mount.path)).toBe(mount.listeners.unique)
      expect(value(families, 'airwave_listener_connections_total', mount.path)).toBe(mount.listeners.connections)
      expect(value(families, 'airwave_slow_listener_drops_total', mount.path)).toBe(mount.listeners.slowDrops)
      expect(Math.abs(value(families, 'airwave_stream_seconds_total', mount.path) - mount.position)).toBeLessThan(0.5)
    }
    expect(value(families, 'airwave_listeners', '/stream')).toBe(2)
    expect(value(families, 'airwave_listeners', '/jazz/hq')).toBe(0)
    expect(value(families, 'airwave_listener_connections_total', '/jazz/hq')).toBe(1)

    // Bytes: everything the clients received was counted as sent (the one that left included).
    const received = a.bytes().length + b.bytes().length + c.bytes().length
    const sent = value(families, 'airwave_sent_bytes_total', '/stream') +
      value(families, 'airwave_sent_bytes_total', '/jazz/hq')
    expect(sent).toBeGreaterThanOrEqual(received)
    expect(sent - received).toBeLessThan(64 * 1024)
    // The broadcast itself: 128 kbit/s for as long as the stream has run.
    const streamBytes = value(families, 'airwave_stream_bytes_total', '/stream')
    expect(Math.abs(streamBytes / value(families, 'airwave_stream_seconds_total', '/stream') - 16_000)).toBeLessThan(
      16_000 * 0.03,
    )

    expect(
      value(families, 'airwave_info') === 1 &&
        families.find((f) => f.name === 'airwave_info')!.metrics[0]!.labels!.version,
    ).toMatch(/^\d+\.\d+\.\d+/)
    expect(Math.abs(value(families, 'airwave_start_time_seconds') - station.station.startedAt.getTime() / 1000))
      .toBeLessThan(0.01)
    for (const family of families) {
      expect(family.help).not.toBe('')
      expect(family.type).toBe(family.name.endsWith('_total') ? 'COUNTER' : 'GAUGE')
    }
    await a.stop()
    await b.stop()
  })

  test('counts source connections per mount and kind: live DJs and relays', async () => {
    const sources = (families: Family[], mount: string, kind: string) =>
      Number(
        families.find((f) => f.name === 'airwave_source_connections_total')!.metrics.find((m) =>
          m.labels?.mount === mount && m.labels?.kind === kind
        )!.value,
      )
    expect(sources(await scrape(), '/stream', 'live')).toBe(0)
    const dj = connectTestSource(station.station.mount('/stream')!, await framesOf(fixtures.mp3(2, 880)))
    dj.pushUntil(1)
    dj.connection.close('test over')
    const after = await scrape()
    expect([sources(after, '/stream', 'live'), sources(after, '/stream', 'relay'), sources(after, '/jazz/hq', 'live')])
      .toEqual([1, 0, 0])
  })

  test('the parser the test relies on refuses what the format forbids', () => {
    const bad = [
      'foo{a="1} 2\n', // unterminated label value
      'foo abc\n', // not a number
      'foo 1\nbar 2\nfoo 3\n', // a family in two places
      '# TYPE foo counter\n# TYPE foo gauge\nfoo 1\n', // two TYPEs
      'foo 1\n# TYPE foo counter\n', // TYPE after the samples
      'foo{a="1",a="2"} 1\n', // a label twice
      'foo{a="1"} 1\nfoo{a="1"} 2\n', // a series twice
      'foo{a="\\x"} 1\n', // an escape the format does not have
      '1foo 1\n', // a bad name
      'foo 1', // no final line feed
    ]
    for (const text of bad) expect(() => parsePrometheusText(text), JSON.stringify(text)).toThrow()
    expect(
      parsePrometheusText(
        '# HELP foo A \\\\ B\\nC\n# TYPE foo counter\nfoo{a="x\\"y",b="1",} 3 1700000000000\nfoo +Inf\n# a comment\n\n',
      ),
    ).toEqual([
      {
        name: 'foo',
        help: 'A \\ B\nC',
        type: 'COUNTER',
        metrics: [{ value: '3', labels: { a: 'x"y', b: '1' }, timestamp_ms: '1700000000000' }, { value: '+Inf' }],
      },
    ])
  })
})
