import type { HlsSegment } from './segment.ts'
import type { SegmentWindow } from './segment-window.ts'

/**
 * The live media playlist (RFC 8216) of a segment window: each segment with its exact duration,
 * its date (`EXT-X-PROGRAM-DATE-TIME`, so a player can line its audio up with the API's
 * `startedAt`) and a discontinuity where the stream was replaced. Segment URIs are relative and
 * carry no query, so every client asks a cache for the same URLs.
 *
 * @example
 * mediaPlaylist(segmenter.window, 6) // '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n…'
 */
export const mediaPlaylist = (window: SegmentWindow, targetDuration: number): string => {
  const listed = window.listed
  const lines = [
    '#EXTM3U',
    // EXT-X-MAP (fragmented MP4's init segment) needs version 6.
    `#EXT-X-VERSION:${listed.some((segment) => segment.init) ? 6 : 3}`,
    `#EXT-X-TARGETDURATION:${targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${listed[0]?.sequence ?? 0}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${window.discontinuitySequence}`,
  ]
  let init: string | undefined
  for (const segment of listed) {
    lines.push(...segmentLines(segment, segment.init && segment.init.name !== init ? segment.init.name : undefined))
    init = segment.init?.name
  }
  return `${lines.join('\n')}\n`
}

const segmentLines = (segment: HlsSegment, newInit: string | undefined): string[] => [
  ...(segment.discontinuity ? ['#EXT-X-DISCONTINUITY'] : []),
  ...(newInit ? [`#EXT-X-MAP:URI="${newInit}"`] : []),
  `#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTime).toISOString()}`,
  `#EXTINF:${segment.duration.toFixed(3)},`,
  segment.name,
]

/**
 * The playlist's `EXT-X-TARGETDURATION`: whole seconds no segment exceeds (a segment is cut before
 * it would pass `segmentSeconds`, unless one chunk alone is longer).
 *
 * @example
 * targetDuration(6, 0.25) // 6
 */
export const targetDuration = (segmentSeconds: number, chunkSeconds: number): number =>
  Math.ceil(Math.max(segmentSeconds, chunkSeconds) - 1e-9)
