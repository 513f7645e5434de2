import { describe, expect, test } from 'bun:test'
import { IcyDemuxer, parseStreamTitle } from '../../../src/input/relay/icy-demux.ts'
import type { IcyPart } from '../../../src/input/relay/icy-demux.ts'

/** Builds an ICY stream: `audio` with a metadata block after every `metaint` bytes (titles in order, then empty blocks). */
const icyStream = (audio: Uint8Array, metaint: number, titles: (string | Uint8Array)[]) => {
  const parts: Uint8Array[] = []
  let block = 0
  for (let at = 0; at < audio.length; at += metaint) {
    parts.push(audio.subarray(at, at + metaint))
    if (at + metaint > audio.length) break
    const title = titles[block++]
    if (title === undefined) parts.push(new Uint8Array([0]))
    else {
      const text = typeof title === 'string' ? Buffer.from(`StreamTitle='${title}';StreamUrl='';`, 'utf8') : title
      const length = Math.ceil(text.length / 16)
      const meta = new Uint8Array(1 + length * 16)
      meta[0] = length
      meta.set(text, 1)
      parts.push(meta)
    }
  }
  return Buffer.concat(parts)
}

const collect = (demux: IcyDemuxer, stream: Uint8Array, pieceSize: number) => {
  const audio: Uint8Array[] = []
  const events: (string | number)[] = []
  let audioBytes = 0
  for (let at = 0; at < stream.length; at += pieceSize) {
    for (const part of demux.push(stream.subarray(at, at + pieceSize)) as Generator<IcyPart>) {
      if (part.type === 'audio') {
        audio.push(part.bytes)
        audioBytes += part.bytes.length
      } else events.push(audioBytes, part.title)
    }
  }
  return { audio: Buffer.concat(audio), events }
}

describe('IcyDemuxer', () => {
  const audio = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31) & 0xff)

  test('strips the metadata blocks, whatever the read sizes, and reports each title where it came', () => {
    const stream = icyStream(audio, 1000, ['Artist - First', undefined as never, 'Ωmega – Ünïcode', "Rock 'n' Roll"])
    for (const pieceSize of [1, 7, 999, 1000, 1001, 4096, stream.length]) {
      const { audio: out, events } = collect(new IcyDemuxer(1000), stream, pieceSize)
      expect(out.equals(Buffer.from(audio))).toBe(true)
      expect(events).toEqual([1000, 'Artist - First', 3000, 'Ωmega – Ünïcode', 4000, "Rock 'n' Roll"])
    }
  })

  test('a title is one line: line breaks and other control characters from the upstream become a space', () => {
    const forged = 'Song\n2026-01-01T00:00:00.000Z error FORGED\r\tEnd'
    const { events } = collect(new IcyDemuxer(1000), icyStream(audio.subarray(0, 2000), 1000, [forged]), 512)
    expect(events).toEqual([1000, 'Song 2026-01-01T00:00:00.000Z error FORGED End'])
  })

  test('a title that is not valid UTF-8 is read as Latin-1', () => {
    const latin1 = Buffer.from("StreamTitle='Caf\xe9 del Mar';", 'latin1')
    const { events } = collect(new IcyDemuxer(1000), icyStream(audio.subarray(0, 2000), 1000, [latin1]), 512)
    expect(events).toEqual([1000, 'Café del Mar'])
  })
})

describe('parseStreamTitle', () => {
  test('reads the title up to the quote that ends the field, not one inside it', () => {
    expect(parseStreamTitle("StreamTitle='Artist - Title';")).toBe('Artist - Title')
    expect(parseStreamTitle("StreamTitle='It's here';StreamUrl='http://x/';\0\0\0")).toBe("It's here")
    expect(parseStreamTitle("StreamTitle='';")).toBe('')
    expect(parseStreamTitle("StreamUrl='http://x/';")).toBeUndefined()
  })
})
