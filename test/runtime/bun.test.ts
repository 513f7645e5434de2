import { afterAll, describe, expect, test } from 'bun:test'
import { rmSync } from 'node:fs'
import { fixtures } from '../helpers/fixtures.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { startStation } from '../helpers/station.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

describe('the Bun adapter', () => {
  test(
    'lifts Bun.serve’s 10 s idle timeout for listeners and event streams: both stay connected through 12 s of silence and hear the music return',
    async () => {
      expect('Bun' in globalThis).toBe(true)
      const file = dir.copy(fixtures.mp3(1, 440), 'only/tone.mp3')
      const station = await startStation([{ path: '/stream', playlist: [dir.path('only')], burst: 0 }])
      try {
        const response = await fetch(`${station.url}/stream`)
        const reader = response.body!.getReader()
        let lastData = performance.now()
        let longestSilence = 0
        let received = 0
        let ended = false
        const reading = (async () => {
          for (let r = await reader.read(); !r.done; r = await reader.read()) {
            longestSilence = Math.max(longestSilence, performance.now() - lastData)
            lastData = performance.now()
            received += r.value.length
          }
          ended = true
        })().catch(() => (ended = true))
        const events = await fetch(`${station.url}/api/mounts/stream/events`)
        const eventReader = events.body!.pipeThrough(new TextDecoderStream()).getReader()
        let eventText = ''
        let eventsEnded = false
        const readingEvents = (async () => {
          for (let r = await eventReader.read(); !r.done; r = await eventReader.read()) eventText += r.value
          eventsEnded = true
        })().catch(() => (eventsEnded = true))
        rmSync(file)
        await waitFor(
          () => station.logs.some((l) => l.includes('nothing in the playlist is playable')),
          5000,
          'silence',
        )
        await Bun.sleep(12_000)
        expect(ended).toBe(false)
        expect(eventsEnded).toBe(false)
        const tracksBefore = eventText.split('event: track').length
        const before = received
        dir.copy(fixtures.mp3(1, 440), 'only/tone.mp3')
        await waitFor(() => received > before, 20_000, 'the music to return')
        expect(longestSilence).toBeGreaterThan(10_000)
        expect(ended).toBe(false)
        await waitFor(
          () => eventText.split('event: track').length > tracksBefore,
          5000,
          'a track event after the silence',
        )
        await reader.cancel()
        await eventReader.cancel()
        await reading
        await readingEvents
      } finally {
        await station.stop()
      }
    },
    45_000,
  )
})

describe('the Bun adapter with a Host that makes no URL', () => {
  test('answers 400, as Node and Deno do, not a 500 with a stack trace in the log', async () => {
    const { connect } = await import('node:net')
    const station = await startStation([{ path: '/stream', playlist: [fixtures.mp3(2)], burst: 0 }])
    try {
      for (const host of ['[::1', 'host:65536', '%00', '[::1]:99999']) {
        const answer = await new Promise<string>((resolve) => {
          const socket = connect(
            station.port,
            '127.0.0.1',
            () => socket.write(`GET /stream HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
          )
          let text = ''
          socket.on('data', (data) => (text += data.toString('latin1')))
          socket.on('close', () => resolve(text))
          socket.on('error', () => resolve(text))
        })
        expect({ host, status: answer.split('\r\n')[0] }).toEqual({ host, status: 'HTTP/1.1 400 Bad Request' })
      }
      expect(station.logs.filter((l) => /TypeError|^\s+at /.test(l))).toEqual([])
    } finally {
      await station.stop()
    }
  })
})
