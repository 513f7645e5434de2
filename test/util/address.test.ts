import { expect, test } from 'bun:test'
import { clientAddress } from '../../src/util/address.ts'

test('an IPv4 address seen through an IPv6 socket loses its ::ffff: prefix; others are kept', () => {
  expect(clientAddress('::ffff:203.0.113.7')).toBe('203.0.113.7')
  expect(clientAddress('2001:db8::1')).toBe('2001:db8::1')
  expect(clientAddress('::ffff:abcd')).toBe('::ffff:abcd')
  expect(clientAddress(undefined)).toBe('')
})
