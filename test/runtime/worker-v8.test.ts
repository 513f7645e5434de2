import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { WORKER_SEMI_SPACE_MIB, workerV8Flags } from '../../src/runtime/_worker-v8.ts'

describe('workerV8Flags', () => {
  test("a worker keeps the station's own flags and gets a bounded young generation", () => {
    expect(workerV8Flags(['--enable-source-maps'])).toEqual([
      '--enable-source-maps',
      `--max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`,
    ])
  })

  test("the operator's own semi-space size wins, given as a flag or in NODE_OPTIONS / DENO_V8_FLAGS", () => {
    expect(workerV8Flags(['--max-semi-space-size=32'])).toEqual(['--max-semi-space-size=32'])
    expect(workerV8Flags(['--max_semi_space_size=1'])).toEqual(['--max_semi_space_size=1'])
    expect(workerV8Flags([], '--max-old-space-size=512 --max-semi-space-size=16')).toEqual([])
  })
})

describe("the station's own process", () => {
  test('npm start and deno task start give it the young generation a worker gets', () => {
    const flag = `--max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`
    const read = (name: string) => JSON.parse(readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8'))
    expect(read('package.json').scripts.start).toContain(`node ${flag} dist/main.js`)
    expect(read('deno.json').tasks.start).toContain(`--v8-flags=${flag} src/main.ts`)
  })
})
