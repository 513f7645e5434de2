import { describe, expect, test } from 'bun:test'
import { done } from '../../src/util/result.ts'
import { AuthThrottle, sourceDoor } from '../../src/security/throttle.ts'
import { ManualClock } from '../helpers/manual-clock.ts'

let n = 0
const door = sourceDoor('s3cret')

describe('AuthThrottle', () => {
  test('after each failure the address is refused for a window that doubles, up to the maximum', () => {
    const clock = new ManualClock()
    const throttle = new AuthThrottle({ baseMs: 500, maxMs: 4000, clock })
    expect(throttle.check('192.0.2.1', 'admin')).toEqual(done())
    const windows: number[] = []
    for (let i = 0; i < 6; i++) {
      throttle.fail('192.0.2.1', 'admin', 'admin', `guess ${n++}`)
      const verdict = throttle.check('192.0.2.1', 'admin')
      expect(verdict.ok).toBe(false)
      windows.push(verdict.ok ? 0 : verdict.retryAfterMs)
      clock.stall(windows.at(-1)!)
      expect(throttle.check('192.0.2.1', 'admin')).toEqual(done())
    }
    expect(windows).toEqual([500, 1000, 2000, 4000, 4000, 4000])
  })

  test('other addresses are not affected, and a success starts the address afresh', () => {
    const clock = new ManualClock()
    const throttle = new AuthThrottle({ clock })
    throttle.fail('192.0.2.1', 'admin', 'admin', `guess ${n++}`)
    throttle.fail('192.0.2.1', 'admin', 'admin', `guess ${n++}`)
    expect(throttle.check('192.0.2.2', 'admin')).toEqual(done())
    clock.stall(1000)
    throttle.succeed('192.0.2.1', 'admin')
    expect(throttle.fail('192.0.2.1', 'admin', 'admin', `guess ${n++}`)).toBe(1)
  })

  test('failures are forgotten after a quiet period, and the table of addresses stays bounded', () => {
    const clock = new ManualClock()
    const throttle = new AuthThrottle({ clock, forgetMs: 60_000, maxEntries: 3 })
    throttle.fail('a', 'admin', 'admin', `guess ${n++}`)
    throttle.fail('a', 'admin', 'admin', `guess ${n++}`)
    clock.stall(61_000)
    expect(throttle.fail('a', 'admin', 'admin', `guess ${n++}`)).toBe(1)
    for (const address of ['b', 'c', 'd']) throttle.fail(address, 'admin', 'admin', `guess ${n++}`)
    // 'a' was the oldest and was forgotten to keep three entries.
    expect(throttle.check('a', 'admin')).toEqual(done())
    expect(throttle.check('d', 'admin').ok).toBe(false)
  })

  test('a wrong password tried again guesses nothing: it keeps the window shut but does not lengthen it; a new one does', () => {
    const clock = new ManualClock()
    const throttle = new AuthThrottle({ baseMs: 500, maxMs: 60_000, clock })
    expect(throttle.fail('192.0.2.1', door, 'source', 'old password')).toBe(1)
    for (let i = 0; i < 20; i++) {
      clock.stall(5000)
      expect(throttle.check('192.0.2.1', door).ok).toBe(true)
      expect(throttle.fail('192.0.2.1', door, 'source', 'old password')).toBe(1)
    }
    // A stale encoder retrying every 5 s leaves the door open all but half a second after each try;
    // within that half second, the repeat is refused unchecked like any other attempt.
    expect(throttle.check('192.0.2.1', door).ok).toBe(false)
    clock.stall(500)
    expect(throttle.check('192.0.2.1', door).ok).toBe(true)
    expect(throttle.fail('192.0.2.1', door, 'source', 'a guess')).toBe(2)
    expect(throttle.check('192.0.2.1', door).ok).toBe(false)
  })

  test('doors are separate: failures at the admin door leave the source door open', () => {
    const throttle = new AuthThrottle({ clock: new ManualClock() })
    for (let i = 0; i < 5; i++) throttle.fail('192.0.2.1', 'admin', 'admin', `guess ${i}`)
    expect(throttle.check('192.0.2.1', 'admin').ok).toBe(false)
    expect(throttle.check('192.0.2.1', door)).toEqual(done())
  })

  test('the same password with another user name is another guess', () => {
    const throttle = new AuthThrottle({ baseMs: 500, clock: new ManualClock() })
    expect(throttle.fail('192.0.2.1', 'admin', 'admin', 'pw')).toBe(1)
    expect(throttle.fail('192.0.2.1', 'admin', 'root', 'pw')).toBe(2)
  })

  test('mounts sharing a source password share its door; a mount with its own password has another', () => {
    expect(sourceDoor('s3cret')).toBe(sourceDoor('s3cret'))
    expect(sourceDoor('s3cret')).not.toBe(sourceDoor('other'))
    expect(sourceDoor('s3cret')).not.toContain('s3cret')
  })

  test('an IPv6 client is counted by its /64: rotating addresses within it gains nothing', () => {
    const throttle = new AuthThrottle({ clock: new ManualClock() })
    throttle.fail('2001:db8:1:2::1', 'admin', 'admin', 'guess')
    expect(throttle.check('2001:db8:1:2:ffff::9', 'admin').ok).toBe(false)
    expect(throttle.check('2001:db8:1:3::1', 'admin').ok).toBe(true)
  })
})
