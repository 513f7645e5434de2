import { describe, expect, test } from 'bun:test'
import type { SourceTarget } from '../../src/input/source.ts'
import { handshake } from '../../src/ingest/handshake.ts'
import { silentLogger } from '../../src/log.ts'
import { parseHead } from '../../src/net/http-head.ts'
import { AuthThrottle, sourceDoor } from '../../src/security/throttle.ts'
import { done, refused } from '../../src/util/result.ts'
import { ManualClock } from '../helpers/manual-clock.ts'

/** A mount as the handshake sees it: its path, password and what it takes. */
const target = (path: string, sourcePassword: string | undefined, accepts = true): SourceTarget => ({
  path,
  log: silentLogger,
  sourcePassword,
  sourceTimeoutMs: 10_000,
  checkSource: () => (accepts ? done() : refused(`Mountpoint in use: ${path} already has a live source`)),
  admitStream: () => done(),
  connectSource: () => {},
})

/** The door of /live's logins (its password). */
const door = sourceDoor('s3cret')

const auth = (password: string) => `Basic ${Buffer.from(`source:${password}`).toString('base64')}`

const setup = () => {
  const throttle = new AuthThrottle({ clock: new ManualClock(), baseMs: 1000 })
  const targets = new Map([['/live', target('/live', 's3cret')], ['/busy', target('/busy', 's3cret', false)], [
    '/off',
    target('/off', undefined),
  ]])
  const decide = (head: string) =>
    handshake(parseHead(Buffer.from(`${head}\r\n\r\n`))!, {
      address: '192.0.2.7',
      targets,
      throttle,
      log: silentLogger,
      httpPort: 8000,
    })
  return { decide, throttle }
}

describe('handshake', () => {
  test('lets in PUT and SOURCE with the mount’s password and a Content-Type it plays, reading what the client says of its stream', () => {
    const { decide } = setup()
    const put = decide(
      `PUT /live HTTP/1.1\r\nAuthorization: ${
        auth('s3cret')
      }\r\nContent-Type: audio/mpeg\r\nExpect: 100-continue\r\nice-name: DJ Night\r\nice-audio-info: samplerate=44100;channels=2\r\nUser-Agent: Lavf/61`,
    )
    expect(
      put.ok &&
        {
          format: put.value.format,
          name: put.value.info.name,
          expectContinue: put.value.expectContinue,
          chunked: put.value.chunked,
          userAgent: put.value.userAgent,
        },
    )
      .toEqual({ format: 'mp3', name: 'DJ Night', expectContinue: true, chunked: false, userAgent: 'Lavf/61' })
    const source = decide(
      `SOURCE /live ICE/1.0\r\nAuthorization: ${
        auth('s3cret')
      }\r\nContent-Type: audio/aac\r\nTransfer-Encoding: chunked`,
    )
    expect(source.ok && { format: source.value.format, chunked: source.value.chunked }).toEqual({
      format: 'aac',
      chunked: true,
    })
  })

  test('turns away with Icecast’s statuses and a reason the operator can act on', () => {
    const { decide } = setup()
    const refusal = (head: string) => {
      const verdict = decide(head)
      return verdict.ok ? 'accepted' : `${verdict.status} ${verdict.reason}`
    }
    expect(refusal('GET /live HTTP/1.1')).toBe(
      "405 This is airwave's port for source clients: PUT or SOURCE /mount (listeners use port 8000)",
    )
    expect(refusal('PUT /nowhere HTTP/1.1')).toBe(
      '404 No mount at /nowhere. Mounts on this station: /live, /busy, /off',
    )
    expect(refusal('PUT /off HTTP/1.1')).toBe(
      '403 Live sources are off on /off: the station has no source password for it',
    )
    expect(refusal(`PUT /live HTTP/1.1\r\nAuthorization: ${auth('s3cret')}`)).toStartWith('403 No Content-type given')
    expect(refusal(`PUT /live HTTP/1.1\r\nAuthorization: ${auth('s3cret')}\r\nContent-Type: video/mp4`)).toStartWith(
      '403 Content-type not supported: video/mp4',
    )
    expect(refusal(`PUT /busy HTTP/1.1\r\nAuthorization: ${auth('s3cret')}\r\nContent-Type: audio/mpeg`)).toBe(
      '403 Mountpoint in use: /busy already has a live source',
    )
  })

  test('a wrong password is challenged and counts toward the address’s back-off, which then refuses without checking', () => {
    const { decide, throttle } = setup()
    const wrong = decide(`PUT /live HTTP/1.1\r\nAuthorization: ${auth('guess')}\r\nContent-Type: audio/mpeg`)
    expect(wrong.ok ? undefined : [wrong.status, wrong.headers]).toEqual([401, {
      'WWW-Authenticate': 'Basic realm="airwave source"',
    }])
    expect(throttle.check('192.0.2.7', door).ok).toBe(false)
    const right = decide(`PUT /live HTTP/1.1\r\nAuthorization: ${auth('s3cret')}\r\nContent-Type: audio/mpeg`)
    expect(right.ok ? undefined : [right.status, right.headers]).toEqual([429, { 'Retry-After': '1' }])
  })

  test('each source password is its own door, and wrong admin passwords never count against a source login', () => {
    const { decide, throttle } = setup()
    throttle.fail('192.0.2.7', 'admin', 'admin', 'guess')
    throttle.fail('192.0.2.7', sourceDoor('other password'), 'source', 'guess')
    const right = decide(`PUT /live HTTP/1.1\r\nAuthorization: ${auth('s3cret')}\r\nContent-Type: audio/mpeg`)
    expect(right.ok).toBe(true)
  })

  test('a request without credentials is only challenged, even from an address being slowed down, and never counts', () => {
    const { decide, throttle } = setup()
    const bare = () => decide('SOURCE /live HTTP/1.0\r\nContent-Type: audio/mpeg\r\nice-name: no name')
    expect(bare().ok ? undefined : bare()).toMatchObject({
      status: 401,
      headers: { 'WWW-Authenticate': 'Basic realm="airwave source"' },
    })
    expect(throttle.check('192.0.2.7', door).ok).toBe(true)
    throttle.fail('192.0.2.7', door, 'source', 'guess 1')
    expect(bare()).toMatchObject({ ok: false, status: 401 })
    expect(throttle.fail('192.0.2.7', door, 'source', 'guess 2')).toBe(2)
  })
})
