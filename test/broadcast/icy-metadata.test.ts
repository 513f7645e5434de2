import { describe, expect, test } from 'bun:test'
import { EMPTY_BLOCK, icyBlock, icyValue, MAX_BLOCK } from '../../src/broadcast/icy-metadata.ts'
import { readIcy } from '../helpers/icy.ts'

const text = (block: Uint8Array) => Buffer.from(block.subarray(1)).toString('utf8')

/** Reads a title back through icecast-metadata-js from a stream of 32 audio bytes, a block and 32 more. */
const roundTrip = (title: string, url?: string) => {
  const metaint = 32
  const block = icyBlock(title, url)
  const stream = Buffer.concat([Buffer.alloc(metaint, 0xaa), block, Buffer.alloc(metaint, 0xbb), EMPTY_BLOCK])
  const reading = readIcy(stream, metaint)
  expect(reading.audio).toEqual(Buffer.concat([Buffer.alloc(metaint, 0xaa), Buffer.alloc(metaint, 0xbb)]))
  expect(reading.errors).toEqual([])
  return reading.blocks[0]!
}

describe('ICY metadata blocks', () => {
  test("a length byte L, then StreamTitle='…'; in UTF-8, NUL-padded to L × 16 bytes", () => {
    const block = icyBlock('Artist - Title')
    expect(block[0]).toBe(2)
    expect(block.length).toBe(1 + 32)
    expect(text(block)).toBe("StreamTitle='Artist - Title';" + '\0'.repeat(32 - 29))
  })

  test('a StreamUrl is added when given', () => {
    expect(text(icyBlock('A', 'https://radio.example/')).replace(/\0+$/, '')).toBe(
      "StreamTitle='A';StreamUrl='https://radio.example/';",
    )
  })

  test('text that fills whole 16-byte units gets no padding; an empty block is one zero byte', () => {
    const title = 'x'.repeat(32 - "StreamTitle='';".length)
    expect(icyBlock(title).length).toBe(33)
    expect([...EMPTY_BLOCK]).toEqual([0])
  })

  test.each([
    { name: 'quotes', title: `Guns N' Roses - Sweet Child O' Mine` },
    { name: 'semicolons', title: 'Artist; Another - Title; Part 2' },
    { name: 'a quote before a semicolon', title: "Rock 'n' Roll';Part 2", safe: "Rock 'n' Roll’;Part 2" },
    {
      name: 'newlines and control characters',
      title: 'Line one\nLine two\r\tand\u0007bell',
      safe: 'Line one Line two and bell',
    },
    { name: 'non-Latin scripts', title: 'Сплин - Выхода нет · 坂本龍一 - 戦場のメリークリスマス · فيروز · 🎵' },
    { name: 'an equals sign and quotes', title: "Title='quoted'" },
  ])('$name round-trip through icecast-metadata-js', ({ title, safe }) => {
    expect(icyValue(title)).toBe(safe ?? title)
    expect(roundTrip(title).title).toBe(safe ?? title)
  })

  test('a 5,000-character title is cut on a character boundary, never breaking the block', () => {
    for (const unit of ['a', 'é', '漢', '🎵']) {
      const title = unit.repeat(5000)
      const block = icyBlock(title, 'https://radio.example/')
      expect(block.length).toBeLessThanOrEqual(1 + MAX_BLOCK)
      expect(block[0]).toBe((block.length - 1) / 16)
      const back = roundTrip(title, 'https://radio.example/')
      expect(back.url).toBe('https://radio.example/')
      expect(back.title!.endsWith('…')).toBe(true)
      expect(title.startsWith(back.title!.slice(0, -1))).toBe(true)
      expect(back.title!.length).toBeGreaterThan(900)
    }
  })
})
