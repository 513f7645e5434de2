import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { Broadcaster } from '../../src/broadcast/broadcaster.ts'
import type { Listener } from '../../src/broadcast/listener.ts'
import { OggPageParser } from '../../src/format/ogg/ogg-pages.ts'
import { nextTrackId } from '../../src/input/track.ts'
import type { Chunk } from '../../src/pipeline/chunk.ts'
import { Chunker } from '../../src/pipeline/chunker.ts'
import { OggChain } from '../../src/pipeline/ogg-chain.ts'
import { fixtures } from '../helpers/fixtures.ts'
import { framesOf } from '../helpers/live-feed.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { systemFfmpeg } from '../helpers/ogg.ts'

const info = { address: '192.0.2.1', userAgent: 'test', referer: '', request: 'GET /opus HTTP/1.1' }

/** The chunks a mount would publish for these Opus tones played one after another. */
const chunksOf = async (...tones: number[]): Promise<Chunk[]> => {
  const frames = await Promise.all(tones.map((hz) => framesOf(fixtures.opus(3, hz, { title: `Tone ${hz}` }))))
  const source = (async function* () {
    for (const list of frames) {
      const track = { id: nextTrackId(), origin: 'playlist' as const, title: 'x' }
      for (const frame of list) yield { frame, track }
    }
  })()
  const chunker = new Chunker(new OggChain(source), 0.25)
  const chunks: Chunk[] = []
  for (let chunk = await chunker.next(); chunk; chunk = await chunker.next()) chunks.push(chunk)
  return chunks
}

const make = (highWaterMark = 1 << 20) =>
  new Broadcaster({ burstSeconds: 1, slowLimit: 60, highWaterMark, clock: new ManualClock() })

const reading = (listener: Listener) => {
  const reader = listener.stream.getReader()
  const parts: Uint8Array[] = []
  const done = (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value)
  })().catch(() => {})
  return { bytes: () => Buffer.concat(parts), done }
}

/** What a player makes of it: each link's first pages, and Debian's ffmpeg's errors. */
const play = (bytes: Uint8Array) => {
  const parser = new OggPageParser({ maxPageSeconds: Infinity })
  const pages = [...parser.push(bytes), ...parser.flush()]
  const opens = pages.flatMap((page, i) => (i === 0 || page.stream !== pages[i - 1]!.stream ? [page.header] : []))
  const run = spawnSync(systemFfmpeg(), ['-v', 'error', '-i', 'pipe:0', '-f', 'null', '-'], { input: bytes })
  return { links: opens.length, everyLinkOpensWithHeaders: opens.every(Boolean), errors: run.stderr.toString() }
}

describe('an Ogg listener', () => {
  test('who joins midway through a link gets its header pages first, then the burst from a page boundary', async () => {
    const chunks = await chunksOf(440)
    const broadcaster = make()
    for (const chunk of chunks.slice(0, 8)) broadcaster.publish(chunk)
    expect(broadcaster.burst.chunks()[0]!.opensLink).toBe(false)
    const listener = broadcaster.add(info)
    const { bytes } = reading(listener)
    for (const chunk of chunks.slice(8)) broadcaster.publish(chunk)
    await Bun.sleep(5)
    expect(bytes().subarray(0, chunks[0]!.link!.headers.length).equals(chunks[0]!.link!.headers)).toBe(true)
    expect(play(bytes())).toEqual({ links: 1, everyLinkOpensWithHeaders: true, errors: '' })
  })

  test('who was skipped (its queue full) when a new link began gets that link’s header pages before its next chunk', async () => {
    const chunks = await chunksOf(440, 660)
    const opening = chunks.findIndex((chunk, i) => i > 0 && chunk.opensLink)
    const broadcaster = make(1)
    for (const chunk of chunks.slice(0, opening - 2)) broadcaster.publish(chunk)
    const listener = broadcaster.add(info)
    // Not read yet: the burst fills its queue, and the next chunks (the new link's first) are skipped.
    for (const chunk of chunks.slice(opening - 2, opening + 1)) expect(listener.offer(chunk)).toBe(false)
    const { bytes } = reading(listener)
    await Bun.sleep(5)
    for (const chunk of chunks.slice(opening + 1)) {
      broadcaster.publish(chunk)
      await Bun.sleep(1)
    }
    expect(listener.isClosed).toBe(false)
    expect(play(bytes())).toEqual({ links: 2, everyLinkOpensWithHeaders: true, errors: '' })
  })

  test('moved to another mount’s stream, it gets that stream’s header pages before its audio', async () => {
    const [here, there] = await Promise.all([chunksOf(440), chunksOf(880)])
    const [from, to] = [make(), make()]
    for (const chunk of here.slice(0, 6)) from.publish(chunk)
    for (const chunk of there.slice(0, 6)) to.publish(chunk)
    const listener = from.add(info)
    const { bytes } = reading(listener)
    from.publish(here[6]!)
    expect(from.transfer(listener, to)).toBe(true)
    for (const chunk of there.slice(6)) to.publish(chunk)
    await Bun.sleep(5)
    expect(play(bytes())).toEqual({ links: 2, everyLinkOpensWithHeaders: true, errors: '' })
  })
})
