import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fixtures } from '../helpers/fixtures.ts'
import { openListener } from '../helpers/listen-client.ts'
import { startStation } from '../helpers/station.ts'

interface ServerEvent {
  event: string
  data: Record<string, unknown>
  at: number
}

/** Reads Server-Sent Events from `url` for `ms` milliseconds, while `during` runs. */
const collect = async (url: string, ms: number, during: () => Promise<void> = async () => {}) => {
  const response = await fetch(url)
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  const events: ServerEvent[] = []
  let buffer = ''
  const start = performance.now()
  const stop = setTimeout(() => reader.cancel(), ms)
  const reading = (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      buffer += r.value
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: (.*)$/m.exec(block)?.[1]
        const data = /^data: (.*)$/m.exec(block)?.[1]
        if (event && data) events.push({ event, data: JSON.parse(data), at: performance.now() - start })
      }
    }
  })().catch(() => {})
  await during()
  await reading
  clearTimeout(stop)
  return events
}

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  station = await startStation([{
    path: '/stream',
    playlist: [fixtures.chirp(1, 300, { title: 'One' }), fixtures.chirp(1, 600, { title: 'Two' })],
  }])
})
afterAll(() => station.stop())

describe('GET /api/mounts/<name>/events', () => {
  test('sends the current track, then a track event at each change, stamped with where it begins in the stream', async () => {
    const events = await collect(`${station.url}/api/mounts/stream/events`, 3500)
    const tracks = events.filter((e) => e.event === 'track')
    expect(tracks.length).toBeGreaterThanOrEqual(4)
    expect(tracks[0]!.at).toBeLessThan(200)
    for (let i = 1; i < tracks.length; i++) {
      const [before, after] = [tracks[i - 1]!.data, tracks[i]!.data]
      expect(after.title).not.toBe(before.title)
      expect(['One', 'Two']).toContain(after.title as string)
      // Each track begins where the previous one ends.
      expect(after.position as number).toBeCloseTo((before.position as number) + (before.duration as number), 1)
      expect(after.live as number).toBeGreaterThanOrEqual(after.position as number)
    }
    // They arrive as the tracks go on air, about a second apart.
    const gaps = tracks.slice(2).map((t, i) => t.at - tracks[i + 1]!.at)
    for (const gap of gaps) expect(gap).toBeGreaterThan(700)
  })

  test('sends listener counts on joins and leaves, debounced', async () => {
    const events = await collect(`${station.url}/api/mounts/stream/events`, 3000, async () => {
      await Bun.sleep(300)
      const a = await openListener(`${station.url}/stream`)
      const b = await openListener(`${station.url}/stream`)
      await Bun.sleep(1000)
      await a.stop()
      await b.stop()
    })
    const counts = events.filter((e) => e.event === 'listeners').map((e) => e.data.current)
    // The initial count, the two joins as one event, the two leaves as one event.
    expect(counts).toEqual([0, 2, 0])
  })

  test('an unknown mount is a 404', async () => {
    expect((await fetch(`${station.url}/api/mounts/nope/events`)).status).toBe(404)
  })
})

describe('GET /api/events', () => {
  test('carries the events of every mount on one connection, each naming its mount', async () => {
    const two = await startStation([
      { path: '/a', playlist: [fixtures.chirp(1, 300, { title: 'A1' }), fixtures.chirp(1, 600, { title: 'A2' })] },
      { path: '/b/hq', playlist: [fixtures.chirp(2, 900, { title: 'B' })] },
    ])
    try {
      const events = await collect(`${two.url}/api/events`, 2500)
      // The current state of each mount first.
      expect(events.slice(0, 4).map((e) => `${e.event} ${e.data.mount}`).sort()).toEqual([
        'listeners /a',
        'listeners /b/hq',
        'track /a',
        'track /b/hq',
      ])
      const tracks = events.filter((e) => e.event === 'track')
      expect(new Set(tracks.filter((t) => t.data.mount === '/a').map((t) => t.data.title))).toEqual(
        new Set(['A1', 'A2']),
      )
      expect(new Set(tracks.filter((t) => t.data.mount === '/b/hq').map((t) => t.data.title))).toEqual(new Set(['B']))
      for (const t of tracks) expect(typeof t.data.live).toBe('number')
      const raw = await fetch(`${two.url}/api/events`)
      const reader = raw.body!.getReader()
      let text = ''
      while ((text.match(/^event: /gm) ?? []).length < 4) text += new TextDecoder().decode((await reader.read()).value)
      // Track ids are per mount, so this stream does not use them as event ids.
      expect(text).toContain('event: track\ndata: {"mount":"/a"')
      expect(text).not.toContain('\nid: ')
      await reader.cancel()
    } finally {
      await two.stop()
    }
  })
})
