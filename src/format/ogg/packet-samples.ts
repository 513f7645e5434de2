import type { OggPage as ParsedPage } from 'codec-parser'
import type { OggCodec } from '../params.ts'
import { wholePackets } from './page-split.ts'

/** Samples (at 48 kHz) of one Opus frame, by the configuration number in a packet's TOC byte (RFC 6716, 3.1). */
const opusFrameSamples = (config: number): number => {
  if (config < 12) return [480, 960, 1920, 2880][config % 4]!
  if (config < 16) return [480, 960][config % 2]!
  return [120, 240, 480, 960][config % 4]!
}

/** The longest an Opus packet may play: 120 ms (RFC 6716, 3.2.5). */
const MAX_OPUS_PACKET_SAMPLES = 5760

/**
 * An Opus packet's duration from its TOC byte: frame size times frame count (RFC 6716, 3.1), at
 * most 120 ms whatever a malformed packet claims.
 *
 * @example
 * opusPacketSamples(new Uint8Array([0xfc, ...frame])) // 960: one 20 ms CELT frame
 */
export const opusPacketSamples = (packet: Uint8Array): number => {
  if (packet.length === 0) return 0
  const code = packet[0]! & 0x03
  const frames = code === 0 ? 1 : code < 3 ? 2 : (packet[1] ?? 0) & 0x3f
  return Math.min(MAX_OPUS_PACKET_SAMPLES, frames * opusFrameSamples(packet[0]! >> 3))
}

/**
 * The duration of each packet of a page whose packets all begin and end on it, before any trimming:
 * Opus's from its TOC byte, Vorbis's and FLAC's from codec-parser (block sizes), an empty packet's 0.
 * Undefined when a packet spans pages or codec-parser's count differs.
 *
 * @example
 * packetSamples(page, 'opus') // [960, 960, …]
 */
export const packetSamples = (page: ParsedPage, codec: OggCodec): number[] | undefined => {
  const packets = wholePackets(page.rawData)
  if (!packets) return undefined
  if (codec === 'opus') return packets.map(opusPacketSamples)
  const frames = page.codecFrames
  let next = 0
  const samples = packets.map((packet) => (packet.length === 0 ? 0 : frames[next++]?.samples ?? NaN))
  return next === frames.length && !samples.some(Number.isNaN) ? samples : undefined
}
