import { describe, expect, test } from 'bun:test'
import { bytesToText, decodeText, oneLine, truncate } from '../../src/util/text.ts'

describe('text', () => {
  test('oneLine turns runs of control characters into one space and trims', () => {
    expect(oneLine('\tArtist\r\n- Title\u0000\u007f ')).toBe('Artist - Title')
  })

  test('decodeText reads UTF-8, or Latin-1 when the bytes are not UTF-8', () => {
    expect(decodeText(new TextEncoder().encode('Ωmega'))).toBe('Ωmega')
    expect(decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9]))).toBe('café')
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe('A')
  })

  test('bytesToText reads a header value of raw bytes as UTF-8 when it is UTF-8, else leaves it', () => {
    expect(bytesToText('caf\u00c3\u00a9')).toBe('café')
    expect(bytesToText('caf\u00e9')).toBe('caf\u00e9')
    expect(bytesToText('plain')).toBe('plain')
    expect(bytesToText('already Ω')).toBe('already Ω')
  })

  test('truncate never splits a character', () => {
    expect(truncate('ab🎵🎶', 3)).toBe('ab🎵')
    expect(truncate('short', 10)).toBe('short')
  })
})
