/**
 * A client's address as people write it: an IPv4 address reached over an IPv6 socket
 * (`::ffff:203.0.113.7`) loses its prefix.
 *
 * @example
 * clientAddress('::ffff:203.0.113.7') // '203.0.113.7'
 */
export const clientAddress = (address: string | undefined): string =>
  (address ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')

/**
 * The block an address belongs to, for rate limits: an IPv6 address's /64 (one subscriber's
 * network: an attacker there has 2^64 addresses to rotate through), an IPv4 address as it is.
 *
 * @example
 * addressBlock('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 * addressBlock('203.0.113.7')          // '203.0.113.7'
 */
export const addressBlock = (address: string): string => {
  if (!address.includes(':')) return address
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::')
  const left = head ? head.split(':') : []
  const right = tail === undefined ? [] : tail ? tail.split(':') : []
  const groups = tail === undefined
    ? left
    : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return address
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}
