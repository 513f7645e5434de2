import { crc32 } from '../util/crc32.ts'

/**
 * An MPEG-2 transport stream of one audio stream and its timed ID3 metadata, as HLS carries MP3:
 * each segment opens with the PAT and PMT (so it decodes on its own), then an ID3 PES with the
 * title, then one PES per chunk of frames, each with its PTS on the 90 kHz clock and a PCR.
 * Continuity counters run on from one segment to the next, as players expect of a live stream.
 *
 * Written here because it is small and fixed (three PIDs, audio only) and no npm muxer writes
 * Apple's timed-metadata stream (stream type 0x15 with its descriptors) that carries the titles.
 */

const PACKET = 188
const PMT_PID = 0x1000
const AUDIO_PID = 0x100
const ID3_PID = 0x102
/** How far the PCR runs ahead of the PTS, in 90 kHz ticks (0.1 s). */
const PTS_DELAY = 9000

/** Stream types: MPEG-1 audio (Layer III at 32/44.1/48 kHz), MPEG-2 audio (the half rates), ID3 metadata. */
export type TsAudioType = 0x03 | 0x04

const ID3_FORMAT = [0xff, 0xff, 0x49, 0x44, 0x33, 0x20, 0xff, 0x49, 0x44, 0x33, 0x20, 0x00]

/** A PSI section (PAT or PMT) with its CRC, behind a zero pointer field. */
const section = (tableId: number, idExtension: number, body: number[]): Uint8Array => {
  const length = 5 + body.length + 4
  const bytes = new Uint8Array([
    tableId,
    0xb0 | (length >> 8),
    length & 0xff,
    idExtension >> 8,
    idExtension & 0xff,
    0xc1,
    0x00,
    0x00,
    ...body,
    0,
    0,
    0,
    0,
  ])
  new DataView(bytes.buffer).setUint32(bytes.length - 4, crc32(bytes.subarray(0, -4), 0xffffffff))
  return new Uint8Array([0x00, ...bytes])
}

const PAT = section(0x00, 1, [0x00, 0x01, 0xe0 | (PMT_PID >> 8), PMT_PID & 0xff])

const pmt = (audioType: TsAudioType): Uint8Array => {
  // Apple's timed metadata: a metadata_pointer_descriptor for the program, a metadata_descriptor for the stream.
  const pointer = [0x25, 15, ...ID3_FORMAT, 0x1f, 0x00, 0x01]
  const metadata = [0x26, 13, ...ID3_FORMAT, 0x0f]
  return section(0x02, 1, [
    0xe0 | (AUDIO_PID >> 8),
    AUDIO_PID & 0xff,
    0xf0,
    pointer.length,
    ...pointer,
    audioType,
    0xe0 | (AUDIO_PID >> 8),
    AUDIO_PID & 0xff,
    0xf0,
    0x00,
    0x15,
    0xe0 | (ID3_PID >> 8),
    ID3_PID & 0xff,
    0xf0,
    metadata.length,
    ...metadata,
  ])
}

/** The five bytes of a PES header's PTS field ('0010' marker, 33 bits in three parts). */
const ptsField = (pts: number): number[] => {
  const high = Math.floor(pts / 2 ** 30) & 0x07
  const mid = Math.floor(pts / 2 ** 15) & 0x7fff
  const low = pts & 0x7fff
  return [0x21 | (high << 1), mid >> 7, ((mid & 0x7f) << 1) | 1, low >> 7, ((low & 0x7f) << 1) | 1]
}

/** Payload bytes per audio PES: its length field counts at most 65,535. */
const MAX_PES_PAYLOAD = 65_000

/**
 * A PES packet: `streamId` (0xC0 audio, 0xBD private data for ID3), with a PTS and marked aligned
 * when it begins a block of frames, else neither (the rest of a block too long for one PES).
 */
const pes = (streamId: number, pts: number | undefined, payload: Uint8Array): Uint8Array => {
  const header = pts === undefined
    ? [0x00, 0x00, 0x01, streamId, 0, 0, 0x80, 0x00, 0]
    : [0x00, 0x00, 0x01, streamId, 0, 0, 0x84, 0x80, 5, ...ptsField(pts)]
  const length = header.length - 6 + payload.length
  ;[header[4], header[5]] = [length >> 8, length & 0xff]
  const out = new Uint8Array(header.length + payload.length)
  out.set(header, 0)
  out.set(payload, header.length)
  return out
}

/** The six bytes of a PCR (33-bit base on 90 kHz, 6 reserved bits, 9-bit extension 0). */
const pcrField = (base: number): number[] => [
  Math.floor(base / 2 ** 25) & 0xff,
  Math.floor(base / 2 ** 17) & 0xff,
  Math.floor(base / 2 ** 9) & 0xff,
  Math.floor(base / 2) & 0xff,
  ((base & 1) << 7) | 0x7e,
  0x00,
]

/** A PES laid out to be packetized: its stream, bytes and an optional PCR for its first packet. */
interface Unit {
  readonly pid: number
  readonly bytes: Uint8Array
  readonly pcr?: number
}

/**
 * Writes the transport stream of successive segments, keeping each PID's continuity counter.
 *
 * @example
 * const ts = new TsMuxer(0x03)
 * ts.segment(90_000, [id3], [{ pts: 90_000, data: frames }]) // 188-byte packets
 */
export class TsMuxer {
  readonly #audioType: TsAudioType
  readonly #counters = new Map<number, number>()

  constructor(audioType: TsAudioType) {
    this.#audioType = audioType
  }

  /** A segment: PAT, PMT, the ID3 tag at the first PTS, then each block of frames at its PTS. */
  segment(id3: Uint8Array, blocks: readonly { pts: number; data: Uint8Array }[]): Uint8Array<ArrayBuffer> {
    const first = blocks[0]!.pts + PTS_DELAY
    const units: Unit[] = [
      { pid: 0, bytes: PAT },
      { pid: PMT_PID, bytes: pmt(this.#audioType) },
      { pid: ID3_PID, bytes: pes(0xbd, first % 2 ** 33, id3) },
      ...blocks.flatMap((block) => {
        const parts: Unit[] = []
        for (let at = 0; at === 0 || at < block.data.length; at += MAX_PES_PAYLOAD) {
          const payload = block.data.subarray(at, at + MAX_PES_PAYLOAD)
          parts.push(
            at === 0
              ? {
                pid: AUDIO_PID,
                bytes: pes(0xc0, (block.pts + PTS_DELAY) % 2 ** 33, payload),
                pcr: block.pts % 2 ** 33,
              }
              : { pid: AUDIO_PID, bytes: pes(0xc0, undefined, payload) },
          )
        }
        return parts
      }),
    ]
    const count = units.reduce((sum, unit) => sum + this.#packets(unit), 0)
    const out = new Uint8Array(count * PACKET).fill(0xff)
    let at = 0
    for (const unit of units) at = this.#write(out, at, unit)
    return out
  }

  /** Packets a unit takes: its bytes in payloads of up to 184 bytes, less the first one's PCR. */
  #packets(unit: Unit): number {
    const firstRoom = unit.pcr === undefined ? 184 : 184 - 8
    return 1 + Math.max(0, Math.ceil((unit.bytes.length - firstRoom) / 184))
  }

  #write(out: Uint8Array, start: number, unit: Unit): number {
    const { pid, bytes } = unit
    let at = start
    let offset = 0
    let first = true
    // PSI sections end with 0xFF filler after the section; PES packets are padded by adaptation field stuffing.
    const psi = pid === 0 || pid === PMT_PID
    while (first || offset < bytes.length) {
      const counter = this.#counters.get(pid) ?? 0
      this.#counters.set(pid, (counter + 1) & 0x0f)
      const pcr = first && unit.pcr !== undefined ? pcrField(unit.pcr) : undefined
      const remaining = bytes.length - offset
      const fieldNeeded = pcr ? 2 + pcr.length : 0
      const room = 184 - fieldNeeded
      const take = Math.min(room, remaining)
      // Adaptation field length: its flags byte and the PCR, plus stuffing to fill the packet.
      const stuffing = psi ? 0 : room - take
      const hasField = pcr !== undefined || stuffing > 0
      out[at] = 0x47
      out[at + 1] = (first ? 0x40 : 0) | (pid >> 8)
      out[at + 2] = pid & 0xff
      out[at + 3] = (hasField ? 0x30 : 0x10) | counter
      let p = at + 4
      if (hasField) {
        const fieldLength = (pcr ? 1 + pcr.length : 0) + stuffing - (pcr ? 0 : 1)
        out[p++] = fieldLength
        if (fieldLength > 0) {
          out[p++] = pcr ? 0x10 : 0x00
          if (pcr) { for (const b of pcr) out[p++] = b }
          p += pcr ? stuffing : stuffing - 2 // already 0xFF
        }
      }
      out.set(bytes.subarray(offset, offset + take), p)
      offset += take
      at += PACKET
      first = false
    }
    return at
  }
}
