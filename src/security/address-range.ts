import ipaddr from 'ipaddr.js'

/** An address or a CIDR range of them, IPv4 or IPv6, as an operator writes it (`203.0.113.7`, `2001:db8::/32`). */
export interface AddressRange {
  /** As people write it, the same however it was given (`10.1.2.3/8` is `10.0.0.0/8`, `::ffff:10.0.0.1` is `10.0.0.1`). */
  readonly text: string
  /** Whether `address` (as a socket gives it, IPv4-mapped IPv6 included) is in the range. */
  contains(address: string): boolean
}

/** The address parsed last: a list of ranges is asked about one address, range after range. */
let last: { text: string; parsed: ipaddr.IPv4 | ipaddr.IPv6 | undefined } | undefined

/** An address parsed, an IPv4 address reached over IPv6 (`::ffff:203.0.113.7`) as the IPv4 address it is. */
const parseAddress = (address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined => {
  if (last?.text === address) return last.parsed
  const bare = address.split('%')[0]!
  const parsed = ipaddr.isValid(bare) ? ipaddr.process(bare) : undefined
  last = { text: address, parsed }
  return parsed
}

/**
 * Reads an address or CIDR range; undefined when it is neither.
 *
 * @example
 * parseRange('203.0.113.0/24')?.contains('::ffff:203.0.113.7') // true
 * parseRange('10.1.2.3/8')?.text // '10.0.0.0/8'
 * parseRange('10.0.0.300') // undefined
 */
export const parseRange = (text: string): AddressRange | undefined => {
  const written = text.trim()
  let range: [ipaddr.IPv4 | ipaddr.IPv6, number]
  try {
    if (written.includes('/')) range = ipaddr.parseCIDR(written)
    else {
      // Only the usual forms: `10.1` or `0x7f.1` are addresses to inet_aton, typing slips to an operator.
      const bare = written.split('%')[0]!
      if (!ipaddr.IPv4.isValidFourPartDecimal(bare) && !ipaddr.IPv6.isValid(bare)) return undefined
      const address = parseAddress(bare)!
      range = [address, address.kind() === 'ipv4' ? 32 : 128]
    }
  } catch {
    return undefined
  }
  const [base, bits] = range
  const mapped = base.kind() === 'ipv6' && (base as ipaddr.IPv6).isIPv4MappedAddress()
  const [network, prefix] = mapped ? [(base as ipaddr.IPv6).toIPv4Address(), Math.max(0, bits - 96)] : [base, bits]
  const kind = network.kind() === 'ipv4' ? ipaddr.IPv4 : ipaddr.IPv6
  const full = prefix === (network.kind() === 'ipv4' ? 32 : 128)
  return {
    text: full ? network.toString() : `${kind.networkAddressFromCIDR(`${network}/${prefix}`)}/${prefix}`,
    contains: (address) => {
      const parsed = parseAddress(address)
      return parsed !== undefined && parsed.kind() === network.kind() && parsed.match(network, prefix)
    },
  }
}

/**
 * Whether `text` is an address or CIDR range `parseRange` reads.
 *
 * @example
 * isRange('2001:db8::/32') // true
 */
export const isRange = (text: string): boolean => parseRange(text) !== undefined
