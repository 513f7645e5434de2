import { describe, expect, test } from 'bun:test'
import { Observers } from '../../src/util/observers.ts'

describe('Observers', () => {
  test('tells every callback in the order they subscribed, until it unsubscribes', () => {
    const seen: string[] = []
    const observers = new Observers<number>()
    const unsubscribe = observers.add((n) => seen.push(`a${n}`))
    observers.add((n) => seen.push(`b${n}`))
    observers.notify(1)
    unsubscribe()
    observers.notify(2)
    expect(seen).toEqual(['a1', 'b1', 'b2'])
    expect(observers.size).toBe(1)
  })

  test('a callback that throws never stops the others; the error goes to onError, or is rethrown after all were told', () => {
    const errors: unknown[] = []
    const told: number[] = []
    const reported = new Observers<number>((error) => errors.push(error))
    reported.add(() => {
      throw new Error('boom')
    })
    reported.add((n) => told.push(n))
    reported.notify(1)
    expect([told, errors.map(String)]).toEqual([[1], ['Error: boom']])
    const rethrown = new Observers<number>()
    rethrown.add(() => {
      throw new Error('again')
    })
    rethrown.add((n) => told.push(n))
    expect(() => rethrown.notify(2)).toThrow('again')
    expect(told).toEqual([1, 2])
  })
})
