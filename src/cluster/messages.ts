import type { CloseReason, ListenerInfo } from '../broadcast/listener.ts'
import type { Track } from '../input/track.ts'
import type { Chunk } from '../pipeline/chunk.ts'
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
}

/** A worker asks to admit a listener of mount `m`; the station answers `joined` or `refused` with the same `r`. */
export interface JoinRequest {
  readonly t: 'join'
  readonly r: number
  readonly m: string
  readonly info: ListenerInfo
  readonly icy: boolean
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
 * A chunk as a message: its audio as the body, the rest in the head.
 *
 * @example
 * link.send(...chunkMessage('/stream', chunk))
 */
export const chunkMessage = (mount: string, chunk: Chunk): [LinkMessage['head'], Uint8Array] => [
  {
    t: 'chunk',
    m: mount,
    d: chunk.duration,
    p: chunk.position,
    f: chunk.frames,
    ff: chunk.firstFrameLength,
    s: chunk.trackStart,
    tr: chunk.track,
  },
  chunk.data,
]

/**
 * The chunk a `chunk` message carries; `tracks` keeps one object per track id, so a track is the
 * same object in every chunk, as in the station.
 *
 * @example
 * const chunk = chunkOf(message, tracks)
 */
export const chunkOf = (message: LinkMessage, tracks: Map<number, Track>): Chunk => {
  const head = message.head as unknown as { d: number; p: number; f: number; ff: number; s: boolean; tr: Track }
  let track = tracks.get(head.tr.id)
  if (!track) {
    tracks.clear()
    track = head.tr
    tracks.set(track.id, track)
  }
  return {
    data: message.body ?? new Uint8Array(0),
    duration: head.d,
    position: head.p,
    frames: head.f,
    firstFrameLength: head.ff,
    track,
    trackStart: head.s,
  }
}
