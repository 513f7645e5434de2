import { describe, expect, test } from 'bun:test'
import { ChunkedDecoder } from '../../src/net/chunked.ts'

describe('ChunkedDecoder', () => {
  test('decodes a chunked body across any split, with extensions and trailers', () => {
    const body = Buffer.from('4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n')
    for (const size of [1, 3, 10, body.length]) {
      const decoder = new ChunkedDecoder()
      const out: Uint8Array[] = []
      for (let at = 0; at < body.length; at += size) out.push(...decoder.push(body.subarray(at, at + size)))
      expect(Buffer.concat(out).toString()).toBe('Wikipedia in\r\n\r\nchunks.')
      expect(decoder.done).toBe(true)
    }
  })

  test('malformed chunk sizes throw', () => {
    expect(() => new ChunkedDecoder().push(Buffer.from('zz\r\n'))).toThrow('bad chunk size')
  })
})
