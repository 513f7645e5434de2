import { describe, expect, test } from 'bun:test'
import { isRange, parseRange } from '../../src/security/address-range.ts'
import { AccessList } from '../../src/security/access-list.ts'
import { forwardedClient } from '../../src/security/forwarded-for.ts'

describe('address ranges', () => {
  test('addresses and CIDR ranges, IPv4 and IPv6; an IPv4 client over an IPv6 socket is its IPv4 address', () => {
    expect(parseRange('203.0.113.0/24')!.contains('203.0.113.200')).toBe(true)
    expect(parseRange('203.0.113.0/24')!.contains('::ffff:203.0.113.7')).toBe(true)
    expect(parseRange('203.0.113.0/24')!.contains('203.0.114.1')).toBe(false)
    expect(parseRange('10.0.0.1')!.contains('10.0.0.1')).toBe(true)
    expect(parseRange('10.0.0.1')!.contains('10.0.0.2')).toBe(false)
    expect(parseRange('2001:db8::/32')!.contains('2001:db8:1::5')).toBe(true)
    expect(parseRange('2001:db8::/32')!.contains('2001:db9::5')).toBe(false)
    expect(parseRange('::ffff:10.0.0.0/104')!.contains('10.2.3.4')).toBe(true)
    expect(parseRange('::1')!.contains('::1')).toBe(true)
    expect(parseRange('10.0.0.0/8')!.contains('::1')).toBe(false)
  })

  test('what is not an address is refused, typing slips included', () => {
    for (const text of ['10.0.0.300', '1.2.3', '10.1', 'example.org', '10.0.0.0/33', '', 'fe80::/129']) {
      expect(isRange(text)).toBe(false)
    }
  })
})

describe('access lists', () => {
  test('a ban wins over an allow; with an allow list only its addresses may connect', () => {
    const list = new AccessList({ deny: ['192.0.2.7'], allow: ['192.0.2.0/24'] })
    expect(list.exclusion('192.0.2.7')).toBe('banned')
    expect(list.exclusion('192.0.2.8')).toBeUndefined()
    expect(list.exclusion('198.51.100.1')).toBe('not allowed')
  })

  test('bans added at run time survive a new configuration and are lifted one by one', () => {
    const list = new AccessList({ deny: ['192.0.2.7'] })
    list.ban('198.51.100.0/24')
    list.configure({ deny: [] })
    expect(list.bans).toEqual({ configured: [], added: ['198.51.100.0/24'] })
    expect(list.exclusion('198.51.100.9')).toBe('banned')
    expect(list.exclusion('192.0.2.7')).toBeUndefined()
    expect(list.unban('198.51.100.0/24')).toBe(true)
    expect(list.unban('198.51.100.0/24')).toBe(false)
    expect(() => list.ban('nobody')).toThrow('"nobody" is not an IP address or CIDR range')
  })
})

describe('X-Forwarded-For behind trusted proxies', () => {
  const trusted = [parseRange('127.0.0.1')!, parseRange('10.0.0.0/8')!]
  test('each trusted hop hands over to the address it names last', () => {
    expect(forwardedClient('127.0.0.1', '198.51.100.7', trusted)).toBe('198.51.100.7')
    expect(forwardedClient('127.0.0.1', '6.6.6.6, 198.51.100.7, 10.0.0.2', trusted)).toBe('198.51.100.7')
    expect(forwardedClient('127.0.0.1', '::ffff:198.51.100.7', trusted)).toBe('198.51.100.7')
  })
  test('a header from an untrusted peer, or with no proxy trusted, changes nothing', () => {
    expect(forwardedClient('203.0.113.5', '198.51.100.7', trusted)).toBe('203.0.113.5')
    expect(forwardedClient('127.0.0.1', '198.51.100.7', [])).toBe('127.0.0.1')
    expect(forwardedClient('127.0.0.1', undefined, trusted)).toBe('127.0.0.1')
  })
})

describe('ranges as people write them', () => {
  test('the same range however it was given: its network address, an IPv4-mapped address as IPv4, IPv6 compressed', () => {
    expect(parseRange('10.1.2.3/8')!.text).toBe('10.0.0.0/8')
    expect(parseRange('::ffff:127.0.0.9')!.text).toBe('127.0.0.9')
    expect(parseRange('127.0.0.2/32')!.text).toBe('127.0.0.2')
    expect(parseRange('2001:0db8:0000::1/32')!.text).toBe('2001:db8::/32')
  })

  test('a ban is lifted however it is written, and banning the same range twice keeps one', () => {
    const list = new AccessList()
    list.ban('::ffff:127.0.0.9')
    list.ban('127.0.0.9/32')
    expect(list.bans.added).toEqual(['127.0.0.9'])
    expect(list.unban('127.0.0.9')).toBe(true)
  })
})
