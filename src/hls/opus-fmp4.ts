import { opusPacketSamples } from '../format/ogg/packet-samples.ts'
import { OggPacketReader } from '../format/ogg/packet-reader.ts'
import type { Chunk } from '../pipeline/chunk.ts'
import { afterStyp, emsgBox } from './emsg.ts'

/** Opus counts time in 48 kHz samples, whatever the rate it was made from. */
const OPUS_RATE = 48_000

const ascii = (bytes: Uint8Array, length: number) => String.fromCharCode(...bytes.subarray(0, length))

/** An Opus packet with its place on the segment's timeline, in samples. */
interface TimedPacket {
  readonly data: Uint8Array
  readonly at: number
  readonly samples: number
}

/** What the fragmented MP4 writer made of a segment: its bytes and the init segment they need. */
export interface Fmp4Segment {
  readonly data: Uint8Array<ArrayBuffer>
  readonly init: Uint8Array<ArrayBuffer>
  /** Seconds its packets play. */
  readonly duration: number
}

/**
 * Writes an Opus mount's HLS segments as fragmented MP4 (CMAF), the container HLS carries Opus in
 * (packed audio and MPEG-TS do not): the Opus packets out of the chunks' Ogg pages, without
 * re-encoding, muxed by mediabunny, with the title as an ID3 tag in an `emsg` box before the
 * fragment. The init segment (`OpusHead` as `dOps`) comes from the first link's header.
 *
 * @example
 * const writer = new OpusFmp4Writer(2)
 * const packets = writer.packets(chunks, 0)          // at once, in order
 * const { data, init } = await writer.segment(packets, id3)
 */
export class OpusFmp4Writer {
  readonly #channels: number
  readonly #reader = new OggPacketReader()
  #head: Uint8Array | undefined
  #clock: number | undefined
  #init: Uint8Array<ArrayBuffer> | undefined
  /** Event messages written: each gets its own id. */
  #messages = 0

  constructor(channels: number) {
    this.#channels = channels
  }

  /**
   * The Opus packets that end in `chunks` (header packets left out), each timed where the one before
   * it ends. Each track's packets hold a little more than its granule positions count (its pre-skip
   * and the end of its last packet, which an Ogg decoder drops and MP4 cannot say per fragment), so
   * this timeline runs on from the first segment's `start` (seconds) by its own packets.
   */
  packets(chunks: readonly Chunk[], start: number): TimedPacket[] {
    this.#clock ??= Math.round(start * OPUS_RATE)
    const packets: TimedPacket[] = []
    for (const chunk of chunks) {
      this.#head ??= chunk.link &&
        new OggPacketReader().push(chunk.link.headers).find((p) => ascii(p, 8) === 'OpusHead')
      for (const data of this.#reader.push(chunk.data)) {
        const magic = ascii(data, 8)
        if (magic === 'OpusHead' || magic === 'OpusTags') continue
        const samples = opusPacketSamples(data)
        packets.push({ data, at: this.#clock, samples })
        this.#clock += samples
      }
    }
    return packets
  }

  /** A media segment of `packets` (with its init segment), `id3` in an `emsg` at its first packet. */
  async segment(packets: readonly TimedPacket[], id3: Uint8Array): Promise<Fmp4Segment> {
    // Loaded with the first Opus segment: a station without Opus mounts never pays for it.
    const { BufferTarget, CmafOutputFormat, EncodedAudioPacketSource, EncodedPacket, Output } = await import(
      'mediabunny'
    )
    const target = new BufferTarget()
    const initTarget = new BufferTarget()
    const output = new Output({ format: new CmafOutputFormat(), target, initTarget })
    const source = new EncodedAudioPacketSource('opus')
    output.addAudioTrack(source)
    await output.start()
    const decoderConfig = {
      codec: 'opus',
      numberOfChannels: this.#channels,
      sampleRate: OPUS_RATE,
      ...(this.#head && { description: this.#head }),
    }
    for (const [i, packet] of packets.entries()) {
      const encoded = new EncodedPacket(packet.data, 'key', packet.at / OPUS_RATE, packet.samples / OPUS_RATE)
      await source.add(encoded, i === 0 ? { decoderConfig } : undefined)
    }
    await output.finalize()
    this.#init ??= new Uint8Array(initTarget.buffer!)
    const data = afterStyp(new Uint8Array(target.buffer!), emsgBox(id3, OPUS_RATE, packets[0]!.at, this.#messages++))
    const samples = packets.reduce((sum, packet) => sum + packet.samples, 0)
    return { data, init: this.#init, duration: samples / OPUS_RATE }
  }
}
