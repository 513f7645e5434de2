import { writePages } from './page-writer.ts'

/**
 * A page's packets, when every one of them begins and ends on it (none continued from the page
 * before, none going on to the next).
 *
 * @example
 * wholePackets(page) // [packet, packet, …], or undefined
 */
export const wholePackets = (raw: Uint8Array): Uint8Array[] | undefined => {
  const count = raw[26]!
  if (raw[5]! & 0x01 || count === 0 || raw[26 + count] === 255) return undefined
  const packets: Uint8Array[] = []
  let at = 27 + count
  let start = at
  for (let i = 27; i < 27 + count; i++) {
    at += raw[i]!
    if (raw[i]! < 255) {
      packets.push(raw.subarray(start, at))
      start = at
    }
  }
  return packets
}

/** Consecutive packets grouped into pages of at most `maxSamples`, each page ending once it holds about `share` more. */
const groups = (samples: readonly number[], maxSamples: number, share: number): [from: number, to: number][] => {
  const result: [number, number][] = []
  let done = 0
  for (let from = 0; from < samples.length;) {
    let to = from + 1
    let duration = samples[from]!
    const goal = share * (result.length + 1) - done
    while (to < samples.length && duration + samples[to]! <= maxSamples && duration + samples[to]! / 2 <= goal) {
      duration += samples[to++]!
    }
    result.push([from, to])
    done += duration
    from = to
  }
  return result
}

/**
 * Splits an audio page into pages of at most `maxSamples` samples each (at least one packet a page),
 * so that a listener's player, which reads ahead a page at a time, never runs dry waiting for a long
 * one: encoders write pages of up to a second (ffmpeg, opusenc), and Chromium's `<audio>` stalls
 * on them. `samples` are the page's packets' own durations; each new page's granule position is
 * the original's less the samples of the packets after it, so the last one keeps the original's.
 * Undefined when the page cannot be split: a packet that begins or ends on another page, packets
 * that do not match `samples`, or a page no longer than `maxSamples` already.
 *
 * @example
 * const split = splitPage(page.rawData, page.codecFrames.map((f) => f.samples), 12_000, sequence)
 */
export const splitPage = (
  raw: Uint8Array,
  samples: readonly number[],
  maxSamples: number,
  sequence: number,
): { pages: Uint8Array[]; samples: number[] } | undefined => {
  const packets = wholePackets(raw)
  const total = samples.reduce((sum, n) => sum + n, 0)
  if (!packets || packets.length !== samples.length || packets.length < 2 || total <= maxSamples) return undefined
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
  const serial = view.getUint32(14, true)
  let granule = view.getBigInt64(6, true) - BigInt(total)
  const pages: Uint8Array[] = []
  const pageSamples: number[] = []
  // As many pages as filling each up to `maxSamples` takes, of about equal length: a second of 20 ms
  // packets is five pages of 200 ms, not four of 240 ms and one of 40.
  const share = total / groups(samples, maxSamples, Infinity).length
  for (const [from, to] of groups(samples, maxSamples, share)) {
    const duration = samples.slice(from, to).reduce((sum, n) => sum + n, 0)
    granule += BigInt(duration)
    pages.push(
      ...writePages(packets.slice(from, to), { serial, sequence: sequence + pages.length, granule, first: false }),
    )
    pageSamples.push(duration)
  }
  return { pages, samples: pageSamples }
}
