import { concatBytes } from '../../util/bytes.ts'

/** The page header's flag: the page's first packet began on the page before. */
const CONTINUED = 0x01
/** Bytes a packet may reach while it goes on from page to page (a FLAC frame is far smaller): more is not a packet, and is dropped. */
const MAX_PACKET_BYTES = 1 << 20

/**
 * Reads the packets out of runs of whole Ogg pages (a mount's chunks, one after another), keeping
 * a packet that goes on past the end of one run until the run that ends it. A page that does not
 * continue a packet drops what was left of an unfinished one (a stream joined or cut midway), and
 * a packet that grows past 1 MiB is dropped (pages that never end one are not a stream).
 *
 * @example
 * const reader = new OggPacketReader()
 * for (const chunk of chunks) for (const packet of reader.push(chunk.data)) decode(packet)
 */
export class OggPacketReader {
  #parts: Uint8Array[] | undefined

  /** The packets that end within `pages` (whole pages, back to back), in order. */
  push(pages: Uint8Array): Uint8Array[] {
    const packets: Uint8Array[] = []
    for (let page = 0; page + 27 <= pages.length;) {
      const segments = pages[page + 26]!
      if (!(pages[page + 5]! & CONTINUED)) this.#parts = []
      let at = page + 27 + segments
      let start = at
      for (let i = 0; i < segments; i++) {
        const lacing = pages[page + 27 + i]!
        at += lacing
        if (lacing === 255) continue
        this.#parts?.push(pages.subarray(start, at))
        if (this.#parts) packets.push(concatBytes(this.#parts))
        this.#parts = []
        start = at
      }
      this.#parts?.push(pages.subarray(start, at))
      if (this.#parts && this.#parts.reduce((sum, part) => sum + part.length, 0) > MAX_PACKET_BYTES) {
        this.#parts = undefined
      }
      page = at
    }
    return packets
  }
}
