import { describe, expect, test } from 'bun:test'
import { credentialsMatch, parseBasicAuth, safeEqual } from '../../src/security/credentials.ts'

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`

describe('credentials', () => {
  test('Basic auth is decoded; a password may contain colons and any UTF-8', () => {
    expect(parseBasicAuth(basic('source:s3cret'))).toEqual({ user: 'source', password: 's3cret' })
    expect(parseBasicAuth(basic('admin:a:b:ç'))).toEqual({ user: 'admin', password: 'a:b:ç' })
    expect(parseBasicAuth(`basic   ${Buffer.from('u:p').toString('base64')}  `)).toEqual({ user: 'u', password: 'p' })
  })

  test('missing, non-Basic and malformed headers give nothing', () => {
    expect(parseBasicAuth(undefined)).toBeUndefined()
    expect(parseBasicAuth('')).toBeUndefined()
    expect(parseBasicAuth('Bearer abc')).toBeUndefined()
    expect(parseBasicAuth(basic('no-colon'))).toBeUndefined()
    expect(parseBasicAuth('Basic !!!')).toBeUndefined()
  })

  test('secrets compare equal only when identical, whatever their lengths', () => {
    expect(safeEqual('s3cret', 's3cret')).toBe(true)
    expect(safeEqual('s3cret', 's3cre')).toBe(false)
    expect(safeEqual('s3cret', 's3cret ')).toBe(false)
    expect(safeEqual('', 'x')).toBe(false)
  })

  test('credentials match when user and password both match one of the accepted pairs', () => {
    const accepted = [{ user: 'source', password: 'a' }, { user: 'admin', password: 'b' }]
    expect(credentialsMatch({ user: 'source', password: 'a' }, accepted)).toBe(true)
    expect(credentialsMatch({ user: 'admin', password: 'b' }, accepted)).toBe(true)
    expect(credentialsMatch({ user: 'source', password: 'b' }, accepted)).toBe(false)
    expect(credentialsMatch({ user: 'admin', password: 'a' }, accepted)).toBe(false)
    expect(credentialsMatch(undefined, accepted)).toBe(false)
    expect(credentialsMatch({ user: 'source', password: 'a' }, [])).toBe(false)
  })
})
