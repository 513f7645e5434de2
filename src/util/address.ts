/**
 * A client's address as people write it: an IPv4 address reached over an IPv6 socket
 * (`::ffff:203.0.113.7`) loses its prefix.
 *
 * @example
 * clientAddress('::ffff:203.0.113.7') // '203.0.113.7'
 */
export const clientAddress = (address: string | undefined): string =>
  (address ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')
