import { expect, test } from 'bun:test'
import { done, refused } from '../../src/util/result.ts'

test('a result is done with its value, or refused with the reason', () => {
  expect(done()).toEqual({ ok: true, value: undefined })
  expect(done(3)).toEqual({ ok: true, value: 3 })
  expect(refused('the mount is off air')).toEqual({ ok: false, reason: 'the mount is off air' })
})
