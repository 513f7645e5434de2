import { describe, expect, test } from 'bun:test'
import { Listener } from '../../src/broadcast/listener.ts'
import { clfDate, formatAccessLine } from '../../src/http/access-log.ts'
import { listenerOptions } from '../helpers/synthetic.ts'

describe('access log', () => {
  test("one line in Icecast's format: combined log plus seconds connected", () => {
    const listener = new Listener(
      listenerOptions({
        highWaterMark: 1000,
        info: {
          address: '203.0.113.7',
          userAgent: 'VLC/3.0.20 "quoted"',
          referer: '',
          request: 'GET /stream HTTP/1.1',
        },
      }),
    )
    listener.sendNow({
      data: new Uint8Array(500),
      duration: 1,
      position: 0,
      frames: 1,
      firstFrameLength: 500,
      track: { id: 1, origin: 'playlist', title: '' },
      trackStart: true,
    })
    listener.close('client')
    expect(formatAccessLine(listener, 200, new Date(Date.UTC(2026, 10, 5, 8, 4, 3)), 12.4)).toBe(
      '203.0.113.7 - - [05/Nov/2026:08:04:03 +0000] "GET /stream HTTP/1.1" 200 0 "-" "VLC/3.0.20 \\"quoted\\"" 12',
    )
    expect(clfDate(new Date(Date.UTC(2026, 0, 31, 23, 59, 59)))).toBe('31/Jan/2026:23:59:59 +0000')
  })
})
