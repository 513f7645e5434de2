import { afterAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { openListener } from '../../helpers/listen-client.ts'
import { fixtures } from '../../helpers/fixtures.ts'
import { waitFor } from '../../helpers/manual-clock.ts'
import { decodeOgg } from '../../helpers/ogg.ts'
import { decodeMp3 } from '../../helpers/source-client.ts'
import { startStation } from '../../helpers/station.ts'

const metaBlock = (title: string) => {
  const text = Buffer.from(`StreamTitle='${title}';`, 'utf8')
  const length = Math.ceil(text.length / 16)
  const block = Buffer.alloc(1 + length * 16)
  block[0] = length
  text.copy(block, 1)
  return block
}

/**
 * A stand-in for a SHOUTcast/Icecast server: answers `ICY 200 OK` with icy-metaint, and sends an MP3
 * file in real time with a title block every `metaint` bytes (the title changes every 2 s). A
 * `name` of null sends no icy-name.
 */
const fakeUpstream = async (titles: string[], metaint = 4000, name: string | null = 'Fake Upstream') => {
  const audio = readFileSync(fixtures.mp3(4, 523))
  const sockets = new Set<Socket>()
  const requests: string[] = []
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.once('data', (head) => {
      requests.push(head.toString('latin1'))
      socket.write(
        `ICY 200 OK\r\n${
          name === null ? '' : `icy-name: ${name}\r\n`
        }icy-genre: Test\r\nicy-br: 128\r\ncontent-type: audio/mpeg\r\nicy-metaint: ${metaint}\r\n\r\n`,
      )
      let sent = 0
      const start = performance.now()
      const timer = setInterval(() => {
        const due = Math.min(((performance.now() - start) / 1000 + 1) * 16_000, Number.MAX_SAFE_INTEGER)
        while (sent < due) {
          const at = sent % audio.length
          const piece = audio.subarray(at, Math.min(audio.length, at + metaint))
          socket.write(piece)
          sent += piece.length
          if (piece.length === metaint || at + piece.length === audio.length) {
            const title = titles[Math.min(titles.length - 1, Math.floor((sent / 16_000) / 2))]!
            socket.write(metaBlock(title))
          }
        }
      }, 50)
      socket.on('close', () => clearInterval(timer))
    })
  }).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`,
    requests,
    close: () => {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

describe('a relay', () => {
  const cleanup: (() => unknown)[] = []
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step()
  })

  test('pulls with Icy-MetaData: 1, strips the in-band metadata, and turns each StreamTitle into a track', async () => {
    const upstream = await fakeUpstream(['Artist - One', 'Artist - Two'])
    cleanup.push(upstream.close)
    const edge = await startStation([{ path: '/edge', relay: upstream.url, burst: 1 }])
    cleanup.push(edge.stop)
    const mount = edge.station.mount('/edge')!
    await waitFor(() => mount.isOnAir, 5000, 'the relay on air')
    expect(upstream.requests[0]).toMatch(/^GET \/stream HTTP\/1\.0\r\n/)
    expect(upstream.requests[0]).toContain('Icy-MetaData: 1\r\n')
    const listener = await openListener(`${edge.url}/edge`)
    expect(listener.response.headers.get('icy-name')).toBe('Fake Upstream')
    await waitFor(() => mount.onAir?.track.title === 'Artist - Two', 8000, 'the second title')
    await Bun.sleep(500)
    await listener.stop()
    expect(edge.logs.some((l) => l.includes('[/edge] on air: Artist - One'))).toBe(true)
    expect(
      edge.logs.some((l) =>
        l.includes('[/edge] relay connected to http://127.0.0.1:') && l.includes('(titles every 4000 bytes)')
      ),
    ).toBe(true)
    expect(mount.onAir?.track.origin).toBe('relay')
    // What the upstream says of itself is what the API says of the mount, which has no name of its own.
    expect((await (await fetch(`${edge.url}/api/mounts/edge`)).json()).name).toBe('Fake Upstream')
    // No metadata byte reached the listener: the stream decodes cleanly.
    const decoded = await decodeMp3(listener.bytes())
    expect(decoded.errors).toEqual([])
    expect(decoded.samplesDecoded / 44100).toBeGreaterThan(2)
  }, 20_000)

  test(
    "until the upstream names its stream or a song, listeners see the mount's name; an empty title keeps the one on air",
    async () => {
      const upstream = await fakeUpstream(['', 'Artist - One'], 4000, null)
      cleanup.push(upstream.close)
      const edge = await startStation([{ path: '/edge', relay: upstream.url, burst: 1, name: 'Edge FM' }])
      cleanup.push(edge.stop)
      const mount = edge.station.mount('/edge')!
      await waitFor(() => mount.onAir?.track.origin === 'relay', 5000, 'the relay on air')
      expect(mount.onAir?.track.title).toBe('Edge FM')
      await waitFor(() => mount.onAir?.track.title === 'Artist - One', 8000, 'the first song title')
      const onAir = edge.logs.filter((l) => l.includes('[/edge] on air:')).map((l) => l.slice(l.indexOf('on air:')))
      expect(onAir).toEqual(['on air: Edge FM', 'on air: Artist - One'])
      expect((await (await fetch(`${edge.url}/api/mounts/edge`)).json()).name).toBe('Edge FM')
    },
    20_000,
  )

  test(
    "relaying another airwave: when the origin stops and comes back, the edge's listeners stay connected and resume (or hear the fallback meanwhile)",
    async () => {
      const origin = await startStation([{ path: '/stream', playlist: [fixtures.chirp(3, 300)], burst: 1 }])
      const port = origin.port
      let current = origin
      cleanup.push(() => current.stop())
      const edge = await startStation(
        [
          { path: '/edge', relay: `${origin.url}/stream`, burst: 1 },
          { path: '/covered', relay: `${origin.url}/stream`, fallbackMount: '/auto', burst: 1 },
          { path: '/auto', playlist: [fixtures.mp3(4, 440)], burst: 1 },
        ],
        { random: () => 0.5 },
      )
      cleanup.push(edge.stop)
      const bare = edge.station.mount('/edge')!
      const covered = edge.station.mount('/covered')!
      await waitFor(() => bare.isOnAir && covered.isOnAir, 5000, 'both relays on air')
      const plain = await openListener(`${edge.url}/edge`)
      const withFallback = await openListener(`${edge.url}/covered`)
      await Bun.sleep(1000)

      await origin.stop()
      await waitFor(() => !bare.isOnAir && !covered.isOnAir, 5000, 'the relays to notice')
      const stoppedAt = { plain: plain.bytes().length, covered: withFallback.bytes().length }
      // While the origin is away: /covered's listener is on /auto's playlist; /edge's waits.
      await waitFor(
        () => edge.station.mount('/auto')!.broadcaster.size === 1,
        3000,
        'the fallback to take the listener',
      )
      await Bun.sleep(1500)
      expect(withFallback.bytes().length).toBeGreaterThan(stoppedAt.covered + 10_000)
      expect(plain.bytes().length - stoppedAt.plain).toBeLessThan(20_000)
      expect(
        edge.logs.some((l) => /\[\/edge\] relay http:\/\/127\.0\.0\.1:\d+\/stream: .*; reconnecting in 1\.0 s/.test(l)),
      ).toBe(true)

      current = await startStation([{ path: '/stream', playlist: [fixtures.chirp(3, 300)], burst: 1 }], { port })
      await waitFor(() => bare.isOnAir && covered.isOnAir, 15_000, 'the relays to reconnect')
      const resumedAt = plain.bytes().length
      await waitFor(() => plain.bytes().length > resumedAt + 32_000, 5000, 'audio on the edge again')
      await Bun.sleep(500)
      expect(plain.broken).toBe(false)
      expect(withFallback.broken).toBe(false)
      expect(covered.broadcaster.size).toBe(1)
      await plain.stop()
      await withFallback.stop()
      expect((await decodeMp3(plain.bytes())).errors).toEqual([])
      expect((await decodeMp3(withFallback.bytes())).errors).toEqual([])
    },
    40_000,
  )

  test("carries the origin's titles to the edge", async () => {
    const origin = await startStation([{
      path: '/stream',
      playlist: [fixtures.mp3(2, 300), fixtures.mp3(2, 600)],
      burst: 1,
    }])
    cleanup.push(origin.stop)
    const edge = await startStation([{ path: '/edge', relay: `${origin.url}/stream`, burst: 1 }])
    cleanup.push(edge.stop)
    const mount = edge.station.mount('/edge')!
    await waitFor(() => mount.isOnAir, 5000, 'the relay on air')
    const originTitle = () => origin.station.mount('/stream')!.onAir?.track.title
    await waitFor(
      () => mount.onAir?.track.title !== undefined && mount.onAir.track.title === originTitle(),
      6000,
      "the origin's title on the edge",
    )
  }, 15_000)

  test(
    'an upstream that sends anything but audio (garbage between one-byte ICY blocks) is dropped after the source timeout, and the fallback plays',
    async () => {
      const sockets = new Set<Socket>()
      const server = createServer((socket) => {
        sockets.add(socket)
        socket.on('error', () => {})
        socket.once('data', () => {
          socket.write('ICY 200 OK\r\ncontent-type: audio/mpeg\r\nicy-metaint: 1\r\n\r\n')
          // One byte of "audio", then an empty metadata block, forever: bytes flow, no frame ever does.
          const timer = setInterval(() => socket.write(Buffer.from([0x41, 0, 0x42, 0, 0x43, 0])), 10)
          socket.on('close', () => clearInterval(timer))
        })
      }).listen(0, '127.0.0.1')
      await new Promise((resolve) => server.once('listening', resolve))
      cleanup.push(() => {
        for (const socket of sockets) socket.destroy()
        server.close()
      })
      const edge = await startStation(
        [
          {
            path: '/edge',
            relay: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`,
            fallbackMount: '/auto',
            sourceTimeout: 1,
            burst: 1,
          },
          { path: '/auto', playlist: [fixtures.mp3(4, 440)], burst: 1 },
        ],
        { random: () => 0.5 },
      )
      cleanup.push(edge.stop)
      await waitFor(
        () => edge.logs.some((l) => /\[\/edge\] relay .*no valid audio for 1 s \(source timeout\)/.test(l)),
        8000,
        'the relay to be dropped for sending no audio',
      )
      expect(edge.station.mount('/edge')!.isOnAir).toBe(false)
      const listener = await openListener(`${edge.url}/edge`)
      await Bun.sleep(800)
      await listener.stop()
      expect((await decodeMp3(listener.bytes())).errors).toEqual([])
      expect(listener.bytes().length).toBeGreaterThan(10_000)
    },
    20_000,
  )

  test(
    "relays another station's Ogg Opus mount: each upstream link's title goes on air, and listeners decode it across the upstream's track changes",
    async () => {
      const upstream = await startStation([{
        path: '/opus',
        name: 'Upstream Opus',
        burst: 1,
        playlist: [440, 660].map((hz) => fixtures.opus(3, hz, { title: `Tone ${hz}`, artist: 'Upstream' })),
      }])
      cleanup.push(upstream.stop)
      const edge = await startStation([{ path: '/edge', relay: `${upstream.url}/opus`, burst: 1 }])
      cleanup.push(edge.stop)
      const mount = edge.station.mount('/edge')!
      await waitFor(() => mount.onAir?.track.origin === 'relay', 8000, 'the relay on air')
      expect(mount.params).toMatchObject({ format: 'opus', sampleRate: 48_000, channels: 2 })
      const [decoded] = await Promise.all([
        decodeOgg(`${edge.url}/edge`, 7),
        waitFor(() => mount.history.length >= 2, 10_000, 'two upstream tracks on air'),
      ])
      expect(decoded).toMatchObject({ code: 0, stderr: '' })
      expect(decoded.seconds).toBeGreaterThan(6)
      const titles = [mount.onAir!, ...mount.history].map((onAir) => onAir.track.title)
      for (const title of titles) expect(['Upstream - Tone 440', 'Upstream - Tone 660']).toContain(title)
      expect(new Set(titles).size).toBe(2)
    },
    30_000,
  )
})
