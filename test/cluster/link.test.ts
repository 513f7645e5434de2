import { describe, expect, test } from 'bun:test'
import { encodeMessage, MessageReader } from '../../src/cluster/link.ts'

describe('the link between the station and its workers', () => {
  const messages = [
    encodeMessage({ t: 'chunk', m: '/stream', d: 0.25 }, new Uint8Array([1, 2, 3, 255])),
    encodeMessage({ t: 'close', id: 7, reason: 'kicked' }),
    encodeMessage({ t: 'chunk', m: '/jazz/hq', title: 'Ωmega – “quoted”' }, new Uint8Array(70_000).fill(9)),
  ]
  const wire = new Uint8Array(messages.reduce((n, m) => n + m.length, 0))
  messages.reduce((at, m) => (wire.set(m, at), at + m.length), 0)

  test('messages come out whole and in order however the bytes are cut', () => {
    for (const size of [1, 3, 7, 4096, wire.length]) {
      const reader = new MessageReader()
      const out = []
      for (let at = 0; at < wire.length; at += size) out.push(...reader.push(wire.subarray(at, at + size)))
      expect(out.map((m) => m.head)).toEqual([
        { t: 'chunk', m: '/stream', d: 0.25 },
        { t: 'close', id: 7, reason: 'kicked' },
        { t: 'chunk', m: '/jazz/hq', title: 'Ωmega – “quoted”' },
      ])
      expect([...out[0]!.body!]).toEqual([1, 2, 3, 255])
      expect(out[1]!.body).toBeUndefined()
      expect(out[2]!.body!.length).toBe(70_000)
      expect(out[2]!.body!.every((b) => b === 9)).toBe(true)
    }
  })

  test('a body is a copy of its own, not a view of the bytes read', () => {
    const bytes = wire.slice()
    const [first] = new MessageReader().push(bytes)
    bytes.fill(0)
    expect([...first!.body!]).toEqual([1, 2, 3, 255])
  })

  test('a length that cannot be a message is refused (the link is then closed)', () => {
    expect(() => new MessageReader().push(new Uint8Array([0, 0, 0, 3, 0, 0, 0, 0]))).toThrow(/corrupt/)
  })
})
