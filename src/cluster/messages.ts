import type { CloseReason, ListenerInfo } from '../broadcast/listener.ts'
import type { ChainLink } from '../format/ogg/ogg-pages.ts'
import type { Track } from '../input/track.ts'
import type { Chunk } from '../pipeline/chunk.ts'
import { concatBytes } from '../util/bytes.ts'
import type { LinkMessage } from './link.ts'

/** What a worker needs to serve a mount's listeners. */
export interface EdgeMount {
  readonly path: string
  readonly burst: number
  readonly slowLimit: number
  readonly highWaterMark: number
  readonly metaint: number
  readonly streamUrl?: string
}

/** The station's first message to a worker. */
export interface Setup {
  readonly t: 'setup'
  readonly mounts: readonly EdgeMount[]
  /** Where the worker forwards every request that is not a new listener: the station's own door. */
  readonly forward: { readonly origin: string; readonly token: string }
  readonly listen: { readonly hostname: string; readonly port: number }
  readonly logLevel: string
  /** HTTPS on the listen port: the certificate and key (PEM) to serve with until a `tls` message brings new ones. */
  readonly tls?: { readonly cert: string; readonly key: string }
}

/** A worker asks to admit a listener of mount `m`; the station answers `joined` or `refused` with the same `r`. */
export interface JoinRequest {
  readonly t: 'join'
  readonly r: number
  readonly m: string
  readonly info: ListenerInfo
  readonly icy: boolean
  /** The listener's request URL and headers, which the station's gate reads its login from. */
  readonly url: string
  readonly headers: readonly (readonly [string, string])[]
}

export interface Joined {
  readonly t: 'joined'
  readonly r: number
  readonly id: number
  /** The mount whose audio it hears now (its own, or a fallback's). */
  readonly serving: string
  readonly headers: readonly (readonly [string, string])[]
}

export interface Refused {
  readonly t: 'refused'
  readonly r: number
  readonly status: number
  readonly headers: readonly (readonly [string, string])[]
  readonly body: string
}

/** A worker's listener ended (`sent`: bytes it was sent in all). */
export interface Left {
  readonly t: 'left'
  readonly id: number
  readonly reason: CloseReason
  readonly sent: number
}

/** Bytes sent so far to a worker's listeners, by id (those that changed). */
export interface Sent {
  readonly t: 'sent'
  readonly ids: readonly number[]
  readonly bytes: readonly number[]
}

/**
 * A chunk as a message: its audio as the body, the rest in the head. An Ogg chunk names its chain
 * link; with `withHeaders` (the first chunk of a link the worker has not had), the link's header
 * pages go first in the body.
 *
 * @example
 * link.send(...chunkMessage('/stream', chunk, chunk.link !== lastLinkSent))
 */
export const chunkMessage = (mount: string, chunk: Chunk, withHeaders = false): [LinkMessage['head'], Uint8Array] => {
  const head = {
    t: 'chunk',
    m: mount,
    d: chunk.duration,
    p: chunk.position,
    f: chunk.frames,
    ff: chunk.firstFrameLength,
    s: chunk.trackStart,
    tr: chunk.track,
  }
  const link = chunk.link
  if (!link) return [head, chunk.data]
  const ogg = { ...head, l: link.id, lo: chunk.opensLink ?? false, lc: chunk.continued ?? false }
  if (!withHeaders) return [ogg, chunk.data]
  // A chunk that opens its link begins with the link's header pages: they are not sent twice.
  if (chunk.opensLink) return [{ ...ogg, lh: link.headers.length }, chunk.data]
  return [{ ...ogg, lh: link.headers.length }, concatBytes([link.headers, chunk.data])]
}

/** What a worker keeps of a mount's broadcast to rebuild its chunks: one object per track, and the Ogg link on air. */
export interface ChunkContext {
  readonly tracks: Map<number, Track>
  link?: ChainLink
}

/**
 * The chunk a `chunk` message carries; `context` keeps one object per track id, so a track is the
 * same object in every chunk, as in the station, and one per Ogg link.
 *
 * @example
 * const chunk = chunkOf(message, { tracks: new Map() })
 */
export const chunkOf = (message: LinkMessage, context: ChunkContext): Chunk => {
  const head = message.head as unknown as {
    d: number
    p: number
    f: number
    ff: number
    s: boolean
    tr: Track
    l?: number
    lo?: boolean
    lc?: boolean
    lh?: number
  }
  const { tracks } = context
  let track = tracks.get(head.tr.id)
  if (!track) {
    tracks.clear()
    track = head.tr
    tracks.set(track.id, track)
  }
  let body = message.body ?? new Uint8Array(0)
  if (head.l !== undefined && head.lh !== undefined) {
    context.link = { id: head.l, headers: body.subarray(0, head.lh) }
    if (!head.lo) body = body.subarray(head.lh)
  }
  const link = head.l !== undefined && context.link?.id === head.l ? context.link : undefined
  const ogg = link ? { link, opensLink: head.lo, continued: head.lc } : {}
  return {
    ...ogg,
    data: body,
    duration: head.d,
    position: head.p,
    frames: head.f,
    firstFrameLength: head.ff,
    track,
    trackStart: head.s,
  }
}
