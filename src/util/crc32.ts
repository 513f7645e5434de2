const TABLE = (() => {
  const table = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 24
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1
    table[i] = crc >>> 0
  }
  return table
})()

/**
 * The CRC-32 both Ogg pages and MPEG-2 sections carry: polynomial 0x04C11DB7, bits not reflected,
 * nothing XORed at the end. Ogg starts it at 0, MPEG-2 at 0xFFFFFFFF.
 *
 * @example
 * crc32(page)                   // an Ogg page's checksum (its CRC field zeroed)
 * crc32(section, 0xffffffff)    // an MPEG-2 PSI section's CRC_32
 */
export const crc32 = (bytes: Uint8Array, initial = 0): number => {
  let crc = initial >>> 0
  for (const byte of bytes) crc = ((crc << 8) ^ TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0
  return crc
}
