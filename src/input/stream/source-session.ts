import type { Clock } from '../../clock.ts'
import type { SourceFormat } from '../../format/params.ts'
import type { SourceConnection, SourceInfo, SourceTarget } from '../source.ts'
import type { SourceKind } from '../track.ts'
import { FrameFeed } from './feed.ts'
import { StreamInput } from './stream-input.ts'
import { Watchdog } from './watchdog.ts'

/** What a source session needs of its connection (a `node:net` or `node:tls` socket has it). */
export interface SourceSocket {
  on(event: 'data', listener: (bytes: Uint8Array) => void): unknown
  on(event: 'end' | 'close', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  pause(): unknown
  resume(): unknown
  end(): unknown
  destroy(): unknown
}

/** What a source sends once its framing is taken off: audio bytes, a new title, or the end of its body. */
export type SourcePart =
  | { type: 'audio'; bytes: Uint8Array }
  | { type: 'title'; title: string }
  | { type: 'end'; reason: string }

/** How a session ended. */
export interface SessionEnd {
  reason: string
  /** What it had queued was dropped (killed, stalled, refused) rather than played out. */
  dropped: boolean
  /** The end was a problem worth a warning (a stall, bad audio), not an orderly goodbye. */
  problem: boolean
  /** Seconds of audio it delivered. */
  seconds: number
}

export interface SourceSessionOptions {
  socket: SourceSocket
  /** The mount it feeds. */
  target: SourceTarget
  kind: SourceKind
  format: SourceFormat
  info: SourceInfo
  /** Where it comes from: the client's address, or the relay's URL. */
  origin: string
  userAgent: string
  /** The first track's title, until the source sends one. */
  title: string
  clock: Clock
  /** Body bytes that arrived together with the request or response head. */
  rest?: Uint8Array
  /** Takes the framing off what arrives (chunked encoding, ICY metadata); throws on malformed input. Default: it is all audio. */
  parse?: (bytes: Uint8Array) => Iterable<SourcePart>
  /** Whether a stall drops what is queued (a DJ whose connection died) rather than letting it play out (a relay). */
  dropOnStall: boolean
  /** Called once, when the session ends. */
  onEnd(end: SessionEnd): void
}

const allAudio = (bytes: Uint8Array): Iterable<SourcePart> => [{ type: 'audio', bytes }]

/**
 * Feeds a mount from a socket: the one session loop behind a live source client and a relay's
 * connection. Bytes become whole frames (`StreamInput`) in a bounded queue (`FrameFeed`) that the
 * mount's switch plays from; reading pauses while the queue is full and the source is ahead (the
 * watchdog then pauses too), and a source silent for the mount's source timeout is dropped. Ends
 * once, with the reason: the peer's goodbye lets what is queued play out; a kill, a stall (for a
 * DJ) or a stream the mount cannot take drops it.
 *
 * @example
 * const connection = startSourceSession({ socket, target, kind: 'live', format: 'mp3', info, origin: address,
 *   userAgent, title: 'Live', clock, dropOnStall: true, onEnd: (end) => log.info(end.reason) })
 */
export const startSourceSession = (options: SourceSessionOptions): SourceConnection => {
  const { socket, target, clock } = options
  const feed = new FrameFeed({ kind: options.kind, title: options.title })
  const input = new StreamInput({ format: options.format, feed, admit: (shape) => target.admitStream(shape) })
  const parse = options.parse ?? allAudio
  let ended = false
  const end = (reason: string, how: { dropped: boolean; problem: boolean; destroy?: boolean }) => {
    if (ended) return
    ended = true
    watchdog.stop()
    if (how.dropped) feed.abort(reason)
    else {
      input.end()
      feed.end(reason)
    }
    if (how.dropped || how.destroy) socket.destroy()
    else socket.end()
    options.onEnd({ reason, dropped: how.dropped, problem: how.problem, seconds: feed.received })
  }
  const drop = (reason: string) => end(reason, { dropped: true, problem: true })
  const timeoutMs = target.sourceTimeoutMs
  const watchdog = new Watchdog(
    clock,
    timeoutMs,
    () =>
      end(`${input.bytes > bytesAtAudio ? 'no valid audio' : 'no data'} for ${timeoutMs / 1000} s (source timeout)`, {
        dropped: options.dropOnStall,
        problem: true,
        destroy: true,
      }),
  )
  feed.onResume = () => {
    if (ended) return
    const pumped = input.pump()
    if (!pumped.ok) return drop(pumped.reason)
    if (input.backlogged) return
    watchdog.resume()
    socket.resume()
  }
  // The watchdog is kicked by audio, not bytes: an upstream sending anything but frames (garbage
  // between tiny ICY blocks, say) is dropped after the source timeout too.
  let bytesAtAudio = 0
  const heard = (framesBefore: number) => {
    if (input.frames === framesBefore) return
    bytesAtAudio = input.bytes
    watchdog.kick()
  }
  const onData = (bytes: Uint8Array) => {
    const framesBefore = input.frames
    let parts: Iterable<SourcePart>
    try {
      parts = parse(bytes)
      for (const part of parts) {
        if (ended) return
        if (part.type === 'title') input.setTitle(part.title)
        else if (part.type === 'end') return end(part.reason, { dropped: false, problem: false })
        else {
          const written = input.write(part.bytes)
          if (!written.ok) return drop(written.reason)
        }
      }
    } catch (error) {
      return drop(error instanceof Error ? error.message : String(error))
    }
    heard(framesBefore)
    if (ended || !input.backlogged) return
    socket.pause()
    watchdog.pause()
  }
  const connection: SourceConnection = {
    kind: options.kind,
    feed,
    format: options.format,
    info: options.info,
    origin: options.origin,
    userAgent: options.userAgent,
    connectedAt: new Date(),
    get params() {
      return input.params
    },
    setTitle: (title, tags) => input.setTitle(title, tags),
    close: (reason) => end(reason, { dropped: true, problem: false }),
  }
  target.connectSource(connection)
  socket.on('data', onData)
  socket.on(
    'end',
    () =>
      end(options.kind === 'live' ? 'the client closed the connection' : 'the upstream closed the stream', {
        dropped: false,
        problem: false,
      }),
  )
  socket.on('close', () => end('the connection closed', { dropped: false, problem: false }))
  socket.on('error', (error) => end(`connection error: ${error.message}`, { dropped: false, problem: false }))
  if (options.rest && options.rest.length > 0) onData(options.rest)
  if (!ended) socket.resume()
  return connection
}
