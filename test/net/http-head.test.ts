import { describe, expect, test } from 'bun:test'
import { HeadReader, MAX_HEAD_BYTES } from '../../src/net/http-head.ts'

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1')

/** Feeds `bytes` to a new reader in pieces of `size`; the first answer it gives. */
const readInPieces = (bytes: Buffer, size: number) => {
  const reader = new HeadReader()
  for (let at = 0; at < bytes.length; at += size) {
    const read = reader.push(bytes.subarray(at, at + size))
    if (read) return read
  }
  return undefined
}

describe('HeadReader', () => {
  test('finds the head however it is split, and keeps the body bytes that came with it', () => {
    for (const eol of ['\r\n', '\n']) {
      const message = Buffer.from(`PUT /live HTTP/1.1${eol}Content-Type: audio/mpeg${eol}${eol}\xff\xfbBODY`, 'latin1')
      for (const size of [1, 2, 3, 7, message.length]) {
        const read = readInPieces(message, size)
        if (!read || read === 'too large') throw new Error(`no head in pieces of ${size}`)
        expect(text(read.head)).toBe(`PUT /live HTTP/1.1${eol}Content-Type: audio/mpeg${eol}${eol}`)
        expect(message.toString('latin1')).toStartWith(text(read.head) + text(read.rest))
        if (size === message.length) expect(text(read.rest)).toBe('\xff\xfbBODY')
      }
    }
  })

  test('waits while the head is incomplete', () => {
    const reader = new HeadReader()
    expect(reader.push(Buffer.from('GET /stream HTTP/1.0\r\nHost: x\r\n'))).toBeUndefined()
    expect(reader.push(Buffer.from('\r'))).toBeUndefined()
    expect(reader.push(Buffer.from('\n'))).toMatchObject({ rest: new Uint8Array(0) })
  })

  test('a head over 16 KiB is too large, whether it arrives whole or in pieces', () => {
    const line = (size: number) => Buffer.from(`SOURCE /live HTTP/1.0\r\nX: ${'x'.repeat(size)}\r\n\r\n`)
    const fits = line(MAX_HEAD_BYTES - 40)
    expect(fits.length).toBeLessThanOrEqual(MAX_HEAD_BYTES)
    for (const size of [1000, fits.length]) expect(readInPieces(fits, size)).toHaveProperty('head')
    for (const size of [1000, 20_000, 100_000]) {
      expect(readInPieces(line(MAX_HEAD_BYTES), size)).toBe('too large')
      expect(readInPieces(line(50_000), size)).toBe('too large')
    }
    expect(readInPieces(Buffer.alloc(MAX_HEAD_BYTES + 1, 'x'), 4096)).toBe('too large')
  })
})
