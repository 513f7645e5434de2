import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { spawn } from 'node:child_process'
import { MPEGDecoder } from 'mpg123-decoder'
import { FrameParser } from '../../src/format/frame-parser.ts'
import type { Clock } from '../../src/clock.ts'
import { systemClock } from '../../src/clock.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { decodeWithFfmpeg, liveRate, record, splitBurst } from '../helpers/listen-client.ts'
import { waitFor } from '../helpers/manual-clock.ts'
import { establishedConnections } from '../helpers/sockets.ts'
import { startStation } from '../helpers/station.ts'

/** 128 kbit/s CBR MP3: 16,000 bytes of frames per second of audio. */
const RATE = 16_000
const secondsOf = (bytes: Uint8Array) => {
  const parser = new FrameParser('mp3')
  return [...parser.push(bytes), ...parser.flush()].reduce((s, f) => s + f.samples / f.sampleRate, 0)
}

let station: Awaited<ReturnType<typeof startStation>>
beforeAll(async () => {
  station = await startStation([
    { path: '/stream', playlist: [fixtures.chirp(3, 200), fixtures.chirp(3, 700)], burst: 2, chunkDuration: 0.1 },
    { path: '/aac', playlist: [fixtures.aac(3, 440), fixtures.aac(3, 660)], burst: 2 },
  ])
  await Bun.sleep(2300)
})
afterAll(() => station.stop())

describe('listening over HTTP', () => {
  test('a new listener gets the burst at once: at least the burst seconds of audio, starting with a frame sync', async () => {
    // What the listener had queued the moment it joined (its burst), however the client's reads
    // are then scheduled on a busy machine.
    const { broadcaster } = station.station.mount('/stream')!
    await waitFor(() => broadcaster.burst.duration >= 2, 15_000, 'two seconds played')
    let burst = 0
    const unobserve = broadcaster.observe((event) => {
      if (event.type === 'join') burst = event.listener.bytesEnqueued
    })
    const recording = await record(`${station.url}/stream`, 600)
    unobserve()
    const { firstByteMs } = splitBurst(recording)
    expect(firstByteMs).toBeLessThan(250)
    expect(recording.data[0]).toBe(0xff)
    expect(recording.data[1]! & 0xe0).toBe(0xe0)
    expect(burst).toBeGreaterThanOrEqual(2 * RATE)
    expect(recording.data.length).toBeGreaterThanOrEqual(burst)
    expect(secondsOf(recording.data.subarray(0, burst))).toBeGreaterThanOrEqual(2)
  })

  test('after the burst, audio arrives at the stream rate (within 2%)', async () => {
    const { live } = splitBurst(await record(`${station.url}/stream`, 6000))
    const rate = liveRate(live)
    expect(Math.abs(rate - RATE) / RATE).toBeLessThan(0.02)
  }, 15_000)

  test('three listeners who join at different times receive identical bytes where they overlap', async () => {
    const end = performance.now() + 5000
    const join = async (delay: number) => {
      await Bun.sleep(delay)
      return record(`${station.url}/stream`, end - performance.now())
    }
    const [a, b, c] = await Promise.all([join(0), join(1000), join(2000)])
    for (const later of [b!, c!]) {
      const offset = a!.data.indexOf(later.data.subarray(0, 4096))
      expect(offset).toBeGreaterThan(0)
      const overlap = Math.min(a!.data.length - offset, later.data.length)
      // They stopped reading at the same moment; all but the last chunk in flight is shared.
      expect(overlap).toBeGreaterThan(later.data.length - 4000)
      expect(a!.data.subarray(offset, offset + overlap).equals(later.data.subarray(0, overlap))).toBe(true)
    }
  }, 15_000)

  test('the stream decodes without errors through mpg123, across track changes', async () => {
    const recording = await record(`${station.url}/stream`, 4000)
    const decoder = new MPEGDecoder()
    await decoder.ready
    const decoded = decoder.decode(recording.data)
    decoder.free()
    expect(decoded.errors).toEqual([])
    expect(decoded.sampleRate).toBe(44100)
    // Burst plus 4 s, all of it decoded (6 s of playlist, so at least one track change is in it).
    expect(decoded.samplesDecoded / 44100).toBeGreaterThan(5.5)
    expect(Math.abs(decoded.samplesDecoded / 44100 - secondsOf(recording.data))).toBeLessThan(0.1)
  }, 10_000)

  test.each(['stream', 'aac'])('a real ffmpeg reading the URL decodes /%s without errors', async (mount) => {
    const decoded = await decodeWithFfmpeg(`${station.url}/${mount}`, 4)
    expect(decoded).toMatchObject({ code: 0, stderr: '' })
    expect(Math.abs(decoded.seconds - 4)).toBeLessThan(0.2)
  }, 15_000)

  test('a listener who hangs up is removed at once and leaves one access-log line with its address', async () => {
    const mount = station.station.mount('/stream')!
    await waitFor(() => mount.broadcaster.size === 0, 3000, 'earlier listeners to leave')
    const accessBefore = station.access.length
    const controller = new AbortController()
    const response = await fetch(`${station.url}/stream`, {
      signal: controller.signal,
      headers: { 'User-Agent': 'airwave-test/1.0', Referer: 'https://example.org/player' },
    })
    await response.body!.getReader().read()
    expect(mount.broadcaster.size).toBe(1)
    controller.abort()
    await waitFor(() => mount.broadcaster.size === 0, 2000, 'the listener to be removed')
    await waitFor(() => station.access.length > accessBefore, 2000, 'the access-log line')
    // Bun cannot tell a request's protocol: the line says none rather than a guess (Node and Deno say it).
    expect(station.access.at(-1)).toMatch(
      /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/stream" 200 \d+ "https:\/\/example\.org\/player" "airwave-test\/1\.0" 0$/,
    )
  })
})

describe('a slow listener', () => {
  /** Runs the station 50 times faster than real time, so OS socket buffers (megabytes) fill in seconds. */
  const SPEED = 50
  const fast: Clock = {
    now: () => systemClock.now() * SPEED,
    sleep: (ms, signal) => systemClock.sleep(ms / SPEED, signal),
  }

  test(
    'a client that stops reading does not slow or thin the others, is dropped after the limit, and its queue stays bounded',
    async () => {
      const slowStation = await startStation([{
        path: '/stream',
        playlist: [fixtures.mp3(30, 300), fixtures.mp3(30, 500)],
        burst: 3,
        slowListenerLimit: 10,
      }], { clock: fast })
      const mount = slowStation.station.mount('/stream')!
      const startedAt = fast.now()
      // A separate process that connects, asks for the stream and never reads a byte.
      const port = new URL(slowStation.url).port
      const stalled = spawn('bash', [
        '-c',
        `exec 3<>/dev/tcp/127.0.0.1/${port}; printf 'GET /stream HTTP/1.1\\r\\nHost: x\\r\\nUser-Agent: stalled\\r\\n\\r\\n' >&3; sleep 60 <&3`,
      ], { stdio: 'ignore' })
      try {
        await waitFor(() => mount.broadcaster.size === 1, 2000, 'the stalled listener')
        expect(establishedConnections(Number(port))).toBe(1)
        const reader = record(`${slowStation.url}/stream`, 20_000)
        await waitFor(() => mount.broadcaster.size === 2, 2000, 'both listeners')
        const slowOne = mount.broadcaster.listeners().find((l) => l.info.userAgent === 'stalled')
        const fastOne = mount.broadcaster.listeners().find((l) => l.info.userAgent !== 'stalled')
        const publishedAtJoin = mount.broadcaster.stats.bytes - fastOne!.bytesEnqueued
        let maxQueued = 0
        const sampler = setInterval(() => (maxQueued = Math.max(maxQueued, slowOne!.queuedBytes)), 5)
        await waitFor(() => slowOne!.isClosed, 11_000, 'the stalled listener to be dropped')
        clearInterval(sampler)
        const handedAtDrop = fastOne!.bytesEnqueued
        expect(slowOne!.closeReason).toBe('slow')
        expect(mount.broadcaster.stats.slowDrops).toBe(1)
        expect(
          slowStation.logs.some((l) => l.includes('dropped slow listener') && l.includes('skipped more than 10 s')),
        ).toBe(true)
        // Skipped only while its queue was full, and dropped once 10 s of audio had been skipped in a row.
        expect(slowOne!.skippedTotal).toBeGreaterThan(10)
        expect(slowOne!.skippedTotal).toBeLessThan(11)
        // Its queue never held more than the high-water mark plus one chunk (about 4 kB here).
        expect(maxQueued).toBeLessThanOrEqual(mount.broadcaster.highWaterMark + 5000)
        // The server closes the connection although the client still is not reading.
        await waitFor(() => establishedConnections(Number(port)) === 1, 8000, 'the stalled connection to be closed')
        expect(slowStation.access.some((l) => l.includes('"stalled"'))).toBe(true)
        // Meanwhile the other listener lost nothing: never skipped, it was handed every byte published...
        expect(fastOne!.isClosed).toBe(false)
        expect(fastOne!.skippedTotal).toBe(0)
        expect(fastOne!.bytesEnqueued).toBe(mount.broadcaster.stats.bytes - publishedAtJoin)
        // ...and the broadcast went on at its pace, but for the time the pacer skipped when this process was
        // held up (at 50 times real time, a busy machine's pause of 100 ms skips 5 s); blocked, it would be near 0.
        const elapsed = (fast.now() - startedAt) / 1000 - mount.skippedSeconds
        expect(mount.position / elapsed).toBeGreaterThan(0.8)
        // The other listener's client received all it had been handed by then.
        const recording = await reader
        expect(recording.data.length).toBeGreaterThanOrEqual(handedAtDrop)
      } finally {
        stalled.kill()
        await slowStation.stop()
      }
    },
    30_000,
  )
})
