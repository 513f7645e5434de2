import type { Listener } from '../../src/broadcast/listener.ts'
import type { Frame } from '../../src/format/frame.ts'
import { frameDuration } from '../../src/format/frame.ts'
import { FrameFeed } from '../../src/input/stream/feed.ts'
import type { SourceConnection } from '../../src/input/source.ts'
import type { SourceKind } from '../../src/input/track.ts'
import { probeAudioFile, readAudioFrames } from '../../src/input/playlist/audio-file.ts'
import type { Mount } from '../../src/mount/mount.ts'
import { tone } from './fixtures.ts'

/** All frames of an audio file, in order. */
export const framesOf = async (path: string): Promise<Frame[]> => {
  const probe = await probeAudioFile(path)
  if (!probe.ok) throw new Error(`${path}: ${probe.reason}`)
  const frames: Frame[] = []
  for await (const frame of readAudioFrames(probe.value)) frames.push(frame)
  return frames
}

/**
 * Connects an in-process source to `mount` the way ingest and relays do (refusal check, admission
 * of the first frame's parameters), and returns a handle that pushes frames in, looping `frames`.
 */
export const connectTestSource = (
  mount: Mount,
  frames: readonly Frame[],
  options: { kind?: SourceKind; title?: string } = {},
) => {
  const kind = options.kind ?? 'live'
  const first = frames[0]!
  const check = mount.checkSource(kind, first.format, first)
  if (!check.ok) throw new Error(check.reason)
  const feed = new FrameFeed({ kind, title: options.title ?? 'Test source' })
  const params = {
    format: first.format,
    sampleRate: first.sampleRate,
    channels: first.channels,
    bitrate: first.bitrate,
  }
  const admitted = mount.admitStream(params)
  if (!admitted.ok) throw new Error(admitted.reason)
  const connection: SourceConnection = {
    kind,
    feed,
    format: first.format,
    info: {},
    origin: 'test',
    userAgent: 'test',
    connectedAt: new Date(),
    params,
    setTitle: (title) => void feed.setTitle(title),
    close: (reason) => feed.abort(reason),
  }
  mount.connectSource(connection)
  let next = 0
  let pushed = 0
  return {
    feed,
    connection,
    /** Seconds of audio pushed so far. */
    get seconds() {
      return pushed
    },
    /** Pushes frames until `seconds` of audio have been pushed in total. */
    pushUntil(seconds: number) {
      while (pushed < seconds - 1e-9) {
        const frame = frames[next++ % frames.length]!
        feed.push(frame)
        pushed += frameDuration(frame)
      }
    },
  }
}

/** Reads a listener's stream into memory as it arrives. */
export const drain = (listener: Listener) => {
  const parts: Uint8Array[] = []
  const reader = listener.stream.getReader()
  void (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value)
  })().catch(() => {})
  return () => Buffer.concat(parts)
}

/** A 64 kbit/s tone, so live audio can be told from the 128 kbit/s playlist by its frames. */
export const liveTone = () => tone({ seconds: 3, frequency: 880, codec: ['-c:a', 'libmp3lame', '-b:a', '64k'] })
