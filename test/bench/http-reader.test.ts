import { describe, expect, test } from 'bun:test'
import { HttpResponseReader } from '../../bench/load/http-reader.ts'

const bytes = (text: string) => new Uint8Array([...text].map((c) => c.charCodeAt(0)))

/** Feeds `text` in pieces of `size` bytes; returns the payload count. */
const feed = (reader: HttpResponseReader, text: string, size: number): number => {
  const all = bytes(text)
  let payload = 0
  for (let i = 0; i < all.length; i += size) {
    const piece = all.subarray(i, i + size)
    // Copy into a larger reused buffer at an offset, as a socket read would hand it over.
    const buffer = new Uint8Array(piece.length + 7)
    buffer.set(piece, 3)
    payload += reader.push(buffer, 3, piece.length)
  }
  return payload
}

describe('HttpResponseReader', () => {
  const chunked = 'HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '5\r\nhello\r\n' + '1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n' + '0\r\n\r\n'

  test.each([1, 2, 3, 7, 64, 4096])('counts only the payload of a chunked response read %i bytes at a time', (size) => {
    const reader = new HttpResponseReader()
    expect(feed(reader, chunked, size)).toBe(5 + 26)
    expect(reader.head?.status).toBe(200)
    expect(reader.head?.chunked).toBe(true)
    expect(reader.ended).toBe(true)
    expect(reader.error).toBeUndefined()
  })

  test('counts every byte after the head of a plain response, head split across reads', () => {
    const reader = new HttpResponseReader()
    const text = 'HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\nicy-br: 128\r\n\r\n' + 'x'.repeat(1000)
    expect(feed(reader, text, 5)).toBe(1000)
    expect(reader.head?.headers.get('icy-br')).toBe('128')
    expect(reader.head?.chunked).toBe(false)
  })

  test('reports a status other than 200 and garbage', () => {
    const notFound = new HttpResponseReader()
    feed(notFound, 'HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n', 100)
    expect(notFound.head?.status).toBe(404)
    const garbage = new HttpResponseReader()
    feed(garbage, 'SSH-2.0-OpenSSH\r\n\r\n', 100)
    expect(garbage.error).toContain('not an HTTP response')
    const badChunk = new HttpResponseReader()
    feed(badChunk, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 100)
    expect(badChunk.error).toBe('bad chunk size')
  })
})
