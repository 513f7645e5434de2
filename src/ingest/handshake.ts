import { formatFromMime } from '../format/formats.ts'
import type { SourceFormat, StreamParams } from '../format/params.ts'
import { audioInfoValue, sourceInfoFrom } from '../input/stream/source-info.ts'
import type { SourceInfo, SourceTarget } from '../input/source.ts'
import type { Logger } from '../log.ts'
import type { HttpHead } from '../net/http-head.ts'
import { credentialsMatch, parseBasicAuth, SOURCE_USER } from '../security/credentials.ts'
import type { UrlAuth } from '../security/listener-auth/url-auth.ts'
import type { AuthThrottle } from '../security/throttle.ts'
import { sourceDoor } from '../security/throttle.ts'
import type { Refused, Result } from '../util/result.ts'
import { done } from '../util/result.ts'

/** A mount's auth server, with the station's name and port as it is told them (Icecast's `server` and `port`). */
export interface StreamAuthHook {
  readonly auth: UrlAuth
  readonly server: string
  readonly port: number
}

/** A source client let in: the mount it feeds and what it said about its stream. */
export interface Accepted {
  target: SourceTarget
  format: SourceFormat
  info: SourceInfo
  userAgent: string
  /** The body is chunked (curl -T), not simply the rest of the connection. */
  chunked: boolean
  /** The client waits for `100 Continue` before sending its stream (ffmpeg, libshout with PUT). */
  expectContinue: boolean
  /** Still to ask: the auth server, with the credentials the client sent (`stream_auth`). */
  ask?: { hook: StreamAuthHook; user: string; pass: string }
}

/** A source client turned away: the status and plain-text message it gets, and headers to send. */
export interface SourceRefusal extends Refused {
  status: number
  headers?: Record<string, string>
}

export interface HandshakeContext {
  /** The client's address. */
  address: string
  /** The mounts sources may feed, by path. */
  targets: ReadonlyMap<string, SourceTarget>
  /** Back-off per address and door for failed logins. */
  throttle: AuthThrottle
  /** The source port's log, for requests that name no mount. */
  log: Logger
  /** The HTTP port, to point lost listeners to it. */
  httpPort?: number
  /** The auth server that decides on a mount's sources instead of its password (Icecast's `stream_auth`), if any. */
  streamAuth?: (path: string) => StreamAuthHook | undefined
}

const refuse = (status: number, reason: string, headers?: Record<string, string>): SourceRefusal => ({
  ok: false,
  status,
  reason,
  ...(headers && { headers }),
})

/** The mount path a request names, or undefined when it is not a path. */
const mountPath = (target: string): string | undefined => {
  try {
    return decodeURIComponent(new URL(target, 'http://source').pathname)
  } catch {
    return undefined
  }
}

/**
 * Decides on a source client's request head, as Icecast does: `PUT /mount` or the legacy
 * `SOURCE /mount`, HTTP Basic auth as user `source` with the mount's source password, a
 * `Content-Type` the mount plays, and `ice-*` headers describing the stream. Refusals carry
 * Icecast's statuses (401 with a challenge, 403 "Mountpoint in use" / "Content-type not supported",
 * 404, 405) and a message for the client's operator; failed logins count toward the address's
 * back-off and are logged with the address, never a password. It touches no socket.
 *
 * @example
 * const verdict = handshake(head, { address, targets: station.mounts, throttle, log })
 * if (!verdict.ok) return reply(verdict.status, verdict.reason, verdict.headers)
 */
export const handshake = (head: HttpHead, context: HandshakeContext): Result<Accepted, SourceRefusal> => {
  const { address, throttle } = context
  const method = head.first.toUpperCase()
  if (method !== 'PUT' && method !== 'SOURCE') {
    const where = context.httpPort ? ` (listeners use port ${context.httpPort})` : ''
    return refuse(405, `This is airwave's port for source clients: PUT or SOURCE /mount${where}`, {
      Allow: 'PUT, SOURCE',
    })
  }
  const path = mountPath(head.second)
  if (path === undefined) return refuse(400, 'Bad mount path')
  const target = context.targets.get(path)
  if (!target) {
    context.log.warn(`source from ${address} asked for ${path}: no such mount`)
    return refuse(404, `No mount at ${path}. Mounts on this station: ${[...context.targets.keys()].join(', ')}`)
  }
  const log = target.log
  const password = target.sourcePassword
  const hook = context.streamAuth?.(path)
  const asksHook = hook?.auth.options.streamAuth !== undefined
  if (password === undefined && !asksHook) {
    log.warn(`source from ${address} refused: live sources are off on ${path} (no source password is set)`)
    return refuse(403, `Live sources are off on ${path}: the station has no source password for it`)
  }
  const challenge = { 'WWW-Authenticate': 'Basic realm="airwave source"' }
  const loginRequired = `Authentication required: log in as user "${SOURCE_USER}" with the mount's source password`
  const given = parseBasicAuth(head.headers.get('authorization'))
  // libshout (ezstream, Mixxx …) always asks first without credentials and logs in on the 401: that
  // checks nothing, so it is neither refused by nor counted toward the address's back-off.
  if (!given) {
    log.debug(`source login refused on ${path} from ${address}: no credentials sent (challenged, not counted)`)
    return refuse(401, loginRequired, challenge)
  }
  if (asksHook) return accepted(head, context, target, { hook: hook!, user: given.user, pass: given.password })
  const door = sourceDoor(password!)
  const verdict = throttle.check(address, door)
  if (!verdict.ok) {
    const seconds = Math.ceil(verdict.retryAfterMs / 1000)
    log.debug(`source login from ${address} refused without checking: too many failed attempts (retry in ${seconds} s)`)
    return refuse(429, verdict.reason, { 'Retry-After': String(seconds) })
  }
  if (!credentialsMatch(given, [{ user: SOURCE_USER, password: password! }])) {
    const failures = throttle.fail(address, door, given.user, given.password)
    log.warn(
      `source login refused on ${path} from ${address}: wrong user name or password (${failures} different wrong password(s) in a row)`,
    )
    return refuse(401, loginRequired, challenge)
  }
  throttle.succeed(address, door)
  return accepted(head, context, target)
}

/** What a logged-in source says of its stream, checked against what its mount plays. */
const accepted = (
  head: HttpHead,
  context: HandshakeContext,
  target: SourceTarget,
  ask?: Accepted['ask'],
): Result<Accepted, SourceRefusal> => {
  const { address } = context
  const log = target.log
  const contentType = head.headers.get('content-type')
  if (!contentType) {
    log.warn(`source from ${address} refused: no Content-Type`)
    return refuse(
      403,
      'No Content-type given: send Content-Type audio/mpeg (MP3), audio/aac (AAC/ADTS) or audio/ogg (Opus, Vorbis, FLAC)',
    )
  }
  const format = formatFromMime(contentType)
  if (!format) {
    log.warn(`source from ${address} refused: Content-Type ${contentType} is not MP3, AAC or Ogg`)
    return refuse(403, `Content-type not supported: ${contentType} (airwave takes audio/mpeg, audio/aac or audio/ogg)`)
  }
  const info = sourceInfoFrom((name) => head.headers.get(name))
  const declared: Partial<StreamParams> = {}
  const sampleRate = audioInfoValue(info.audioInfo, 'samplerate')
  const channels = audioInfoValue(info.audioInfo, 'channels')
  if (sampleRate !== undefined) declared.sampleRate = sampleRate
  if (channels !== undefined) declared.channels = channels
  const check = target.checkSource('live', format, declared)
  if (!check.ok) {
    log.warn(`source from ${address} refused: ${check.reason}`)
    return refuse(403, check.reason)
  }
  return done({
    target,
    format,
    info,
    userAgent: head.headers.get('user-agent') ?? '',
    chunked: /chunked/i.test(head.headers.get('transfer-encoding') ?? ''),
    expectContinue: /100-continue/i.test(head.headers.get('expect') ?? ''),
    ...(ask && { ask }),
  })
}
