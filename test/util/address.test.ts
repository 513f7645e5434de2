import { expect, test } from 'bun:test'
import { addressBlock, clientAddress } from '../../src/util/address.ts'

test('an IPv4 address seen through an IPv6 socket loses its ::ffff: prefix; others are kept', () => {
  expect(clientAddress('::ffff:203.0.113.7')).toBe('203.0.113.7')
  expect(clientAddress('2001:db8::1')).toBe('2001:db8::1')
  expect(clientAddress('::ffff:abcd')).toBe('::ffff:abcd')
  expect(clientAddress(undefined)).toBe('')
})

test('rate limits count an IPv6 address by its /64, an IPv4 address by itself', () => {
  expect(addressBlock('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
  expect(addressBlock('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64')
  expect(addressBlock('2001:db8::1')).toBe('2001:db8:0:0::/64')
  expect(addressBlock('::1')).toBe('0:0:0:0::/64')
  expect(addressBlock('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
  expect(addressBlock('203.0.113.7')).toBe('203.0.113.7')
  // Anything that is not an address is its own block.
  expect(addressBlock('unknown')).toBe('unknown')
  expect(addressBlock('1:2:3')).toBe('1:2:3')
})
