import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { fixtures } from './helpers/fixtures.ts'
import { CONTROL, LOG_LINE, readerLines } from './helpers/log-lines.ts'
import { waitFor } from './helpers/manual-clock.ts'
import { rawSource } from './helpers/source-client.ts'
import { startStation } from './helpers/station.ts'

const FORGED = '2026-01-01T00:00:00.000Z error FORGED'

const metaBlock = (title: string) => {
  const text = Buffer.from(`StreamTitle='${title}';`, 'utf8')
  const block = Buffer.alloc(1 + Math.ceil(text.length / 16) * 16)
  block[0] = (block.length - 1) / 16
  text.copy(block, 1)
  return block
}

/** An upstream that sends MP3 in real time with a new title every 64 bytes, each title carrying a forged log line. */
const hostileUpstream = async () => {
  const audio = readFileSync(fixtures.mp3(4, 523))
  const sockets = new Set<Socket>()
  let titles = 0
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.once('data', () => {
      socket.write('ICY 200 OK\r\nicy-name: Hostile\r\ncontent-type: audio/mpeg\r\nicy-metaint: 64\r\n\r\n')
      let sent = 0
      const start = performance.now()
      const timer = setInterval(() => {
        while (sent < ((performance.now() - start) / 1000 + 1) * 16_000) {
          socket.write(audio.subarray(sent % audio.length, (sent % audio.length) + 64))
          sent += 64
          socket.write(metaBlock(`Song ${++titles}\n${FORGED}`))
        }
      }, 20)
      socket.on('close', () => clearInterval(timer))
    })
  }).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`,
    titles: () => titles,
    close: () => {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

describe('nobody can write a line of the log', () => {
  let upstream: Awaited<ReturnType<typeof hostileUpstream>>
  let station: Awaited<ReturnType<typeof startStation>>
  beforeAll(async () => {
    upstream = await hostileUpstream()
    station = await startStation(
      [
        { path: '/stream', playlist: [fixtures.mp3(4, 440)], burst: 1 },
        { path: '/edge', relay: upstream.url, burst: 1 },
      ],
      { station: { sourcePassword: 's3cret' } },
    )
  })
  afterAll(async () => {
    await station.stop()
    upstream.close()
  })

  test(
    'an unauthenticated PUT to the source port and relayed titles with line breaks, changing 250 times a second, each stay on a line of their own, and `on air` is logged about once a second',
    async () => {
      const forged = await rawSource(station.sourcePort!, `PUT /%0a${FORGED.replaceAll(' ', '%20')} HTTP/1.1\r\n\r\n`, {
        holdMs: 200,
      })
      expect(forged.status).toBe(404)
      const edge = station.station.mount('/edge')!
      await waitFor(() => upstream.titles() > 500, 10_000, 'the upstream to send 500 titles')
      await waitFor(() => edge.onAir?.track.title.startsWith('Song ') === true, 5000, 'a relayed title on air')
      const startedAt = performance.now()
      await Bun.sleep(3000)
      const seconds = (performance.now() - startedAt) / 1000

      const lines = readerLines(station.logs)
      expect(lines.length).toBe(station.logs.length)
      for (const line of lines) {
        expect(line).toMatch(LOG_LINE)
        expect(line).not.toMatch(CONTROL)
        expect(line.startsWith(FORGED)).toBe(false)
      }
      // The forged request was logged, on the line of the warning that tells of it.
      expect(lines).toContainEqual(
        expect.stringMatching(/ warn {2}\[source port\] .*\/\\n2026-01-01T00:00:00\.000Z error FORGED/),
      )
      // So were the relayed titles, about one a second, each saying how many changes it stands for.
      const onAir = lines.filter((l) => l.includes('[/edge] on air: Song '))
      expect(onAir.length).toBeGreaterThanOrEqual(3)
      expect(onAir.length).toBeLessThanOrEqual(3 + Math.ceil(seconds) + 3)
      expect(onAir.at(-1)).toMatch(
        /on air: Song \d+ 2026-01-01T00:00:00\.000Z error FORGED \(\d+ title changes in between not logged\)$/,
      )
    },
    20_000,
  )
})
