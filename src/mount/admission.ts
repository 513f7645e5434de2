import type { Broadcaster } from '../broadcast/broadcaster.ts'
import type { AudioFormat, SourceFormat, StreamParams } from '../format/params.ts'
import { describeParams, formatLabel, isOgg, paramsMismatch } from '../format/params.ts'
import type { SourceConnection } from '../input/source.ts'
import type { SourceKind } from '../input/track.ts'
import type { Logger } from '../log.ts'
import type { Result } from '../util/result.ts'
import { done, refused } from '../util/result.ts'

/**
 * What a new source on a mount must send, and why: the stream of its playlist, or of the first
 * mount along its fallback chain that has one (the stream its listeners may be hearing), or its
 * configured format; nothing when none of these is known.
 */
export interface Constraint {
  params?: StreamParams
  format?: AudioFormat
  /** Where the constraint comes from: `its playlist`, `its fallback mount /auto` … */
  what: string
}

const mismatchReason = (path: string, mismatch: string, params: StreamParams, what: string): string =>
  `${path} plays ${
    describeParams(params)
  } (${what}) and this source differs (${mismatch}); players break on such a change mid-stream, so send ${
    describeParams(params)
  }`

/**
 * Whether a new source of `kind` sending `format` may connect to the mount at `path`: not while one
 * of that kind is connected, nor with another format, or another sample rate or channel count when
 * it declares them.
 *
 * @example
 * checkSource('/live', sources.get('live'), 'live', 'aac', {}, { params: mp3Stereo, what: 'its playlist' })
 * // refused: 'Content-type not supported: /live plays MP3 (its playlist); this source sends AAC'
 */
export const checkSource = (
  path: string,
  current: SourceConnection | undefined,
  kind: SourceKind,
  format: SourceFormat,
  declared: Partial<StreamParams>,
  constraint: Constraint,
): Result => {
  if (current && !current.feed.ended) {
    return refused(
      `Mountpoint in use: ${path} already has a ${
        kind === 'live' ? 'live source' : 'relay'
      } (from ${current.origin} since ${current.connectedAt.toISOString()})`,
    )
  }
  const expected = constraint.params?.format ?? constraint.format
  // An Ogg source's codec is told by its first page, checked then (`checkStream`).
  if (expected && expected !== format && !(format === 'ogg' && isOgg(expected))) {
    return refused(
      `Content-type not supported: ${path} plays ${formatLabel(expected)} (${constraint.what}); this source sends ${
        formatLabel(format)
      }`,
    )
  }
  if (!constraint.params || format === 'ogg') return done()
  const actual = {
    format,
    sampleRate: declared.sampleRate ?? constraint.params.sampleRate,
    channels: declared.channels ?? constraint.params.channels,
  }
  return checkStream(path, actual, constraint)
}

/**
 * Whether a source's actual stream (its first frame's parameters) fits what the mount at `path`
 * must play.
 *
 * @example
 * checkStream('/stream', firstFrame, { params: playlistParams, what: 'its playlist' })
 */
export const checkStream = (path: string, params: StreamParams, constraint: Constraint): Result => {
  if (!constraint.params) return done()
  const mismatch = paramsMismatch(constraint.params, params)
  return mismatch ? refused(mismatchReason(path, mismatch, constraint.params, constraint.what)) : done()
}

/**
 * A new source brings another stream than the one `broadcaster`'s listeners wait on: their
 * responses end (their players reconnect and get the new stream) and the burst is emptied.
 *
 * @example
 * if (paramsMismatch(old, shape)) strand(mount.broadcaster, old, shape, log)
 */
export const strand = (broadcaster: Broadcaster, was: StreamParams, now: StreamParams, log: Logger): void => {
  const stranded = broadcaster.listeners()
  if (stranded.length > 0) {
    log.warn(
      `new source is ${describeParams(now)}, was ${
        describeParams(was)
      }: ending ${stranded.length} waiting listener(s) so their players reconnect`,
    )
  }
  for (const listener of stranded) listener.close('shutdown')
  broadcaster.clearBurst()
}
