import { describe, expect, test } from 'bun:test'
import { hash53 } from '../../src/util/hash.ts'

describe('hash53', () => {
  test('the same string, the same 53-bit number; a seed gives another', () => {
    expect(hash53('203.0.113.7|VLC/3.0.20')).toBe(hash53('203.0.113.7|VLC/3.0.20'))
    expect(Number.isSafeInteger(hash53('x'.repeat(20_000)))).toBe(true)
    expect(hash53('a', 1)).not.toBe(hash53('a'))
  })

  test('a hundred thousand similar keys (address and user agent) all hash apart', () => {
    const seen = new Set<number>()
    for (let i = 0; i < 100_000; i++) seen.add(hash53(`203.0.${i >> 8}.${i & 255}|Mozilla/5.0`))
    expect(seen.size).toBe(100_000)
  })
})
