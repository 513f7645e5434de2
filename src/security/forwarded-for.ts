import { clientAddress } from '../util/address.ts'
import type { AddressRange } from './address-range.ts'

/**
 * The client behind trusted reverse proxies: starting from the connection's peer, each trusted hop
 * hands over to the address it names last in `X-Forwarded-For`, until an untrusted one (the
 * client, as far as anyone trustworthy can tell). With no trusted proxy, the peer itself: a
 * header anyone can send never moves a ban or a cap.
 *
 * @example
 * forwardedClient('127.0.0.1', '198.51.100.7, 10.0.0.2', [parseRange('127.0.0.1')!, parseRange('10.0.0.0/8')!])
 * // '198.51.100.7'
 */
export const forwardedClient = (
  peer: string,
  header: string | null | undefined,
  trusted: readonly AddressRange[],
): string => {
  if (!header || trusted.length === 0) return peer
  const hops = header.split(',').map((hop) => clientAddress(hop.trim())).filter(Boolean)
  let client = peer
  while (hops.length > 0 && trusted.some((range) => range.contains(client))) client = hops.pop()!
  return client
}
