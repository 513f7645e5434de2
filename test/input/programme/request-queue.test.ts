import { describe, expect, test } from 'bun:test'
import { RequestQueue } from '../../../src/input/programme/request-queue.ts'

const request = (path: string) => ({ path, title: path, queuedAt: 0, item: path })

describe('RequestQueue', () => {
  test('first in, first out; entries can be removed and moved, each by its id', () => {
    const queue = new RequestQueue<string>()
    const a = queue.add(request('a'))
    const b = queue.add(request('b'))
    const c = queue.add(request('c'))
    expect(new Set([a.id, b.id, c.id]).size).toBe(3)
    expect(queue.move(c.id, 0)).toBe(true)
    expect(queue.entries.map((e) => e.path)).toEqual(['c', 'a', 'b'])
    expect(queue.move(c.id, 99)).toBe(true)
    expect(queue.entries.map((e) => e.path)).toEqual(['a', 'b', 'c'])
    expect(queue.remove(b.id)).toBe(true)
    expect(queue.remove(b.id)).toBe(false)
    expect(queue.move(b.id, 0)).toBe(false)
    expect(queue.shift()?.path).toBe('a')
    expect(queue.shift()?.path).toBe('c')
    expect(queue.shift()).toBeUndefined()
    expect(queue.size).toBe(0)
  })
})
