import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))

/**
 * The layers of `src/`, in the order the data flows through them (see docs/architecture.md): a
 * module may import from its own folder and from layers before its own, never from a later one.
 * The top-level entry points (the CLI, the library's faces, `serve.ts`) come last.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['util', 'clock.ts', 'log.ts', 'version.ts'],
  ['format'],
  ['net'],
  ['security'],
  ['config'],
  ['input'],
  ['ingest'],
  ['pipeline'],
  ['broadcast'],
  ['hls'],
  ['record'],
  ['mount'],
  ['station'],
  ['runtime'],
  ['web'],
  ['http'],
  ['cluster'],
  ['serve.ts', 'index.ts', 'main.ts', 'worker.ts', 'node.ts', 'bun.ts', 'deno.ts'],
]

/** Longest module a server-side folder may hold, in lines. */
const MAX_LINES = 400

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? files(path) : /\.ts$/.test(entry.name) ? [path] : []
  })

const SPECIFIER = /^\s*(?:import|export)\b[^'"]*?\bfrom\s*'([^']+)'|^\s*import\s*'([^']+)'/gm

/** The modules of `src/` a module imports, type-only imports included. */
const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(SPECIFIER)]
    .map((m) => m[1] ?? m[2]!)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => resolve(dirname(file), specifier))

const layerOf = (file: string): number => {
  const [first] = relative(SRC, file).split('/')
  const index = LAYERS.findIndex((layer) => layer.includes(first!))
  if (index < 0) {
    throw new Error(`${relative(SRC, file)} is in no layer: add its folder to LAYERS and to docs/architecture.md`)
  }
  return index
}

const folderOf = (file: string): string => relative(SRC, file).split('/')[0]!

const all = files(SRC)
const graph = new Map(all.map((file) => [file, importsOf(file)]))

describe('the layout of src/', () => {
  test('every import names a module that exists', () => {
    const missing = [...graph].flatMap(([file, imports]) =>
      imports.filter((target) => !graph.has(target)).map((target) =>
        `${relative(SRC, file)} -> ${relative(SRC, target)}`
      )
    )
    expect(missing).toEqual([])
  })

  test('no import circle between modules, type-only imports included', () => {
    const circles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' -> '))
        return
      }
      state.set(file, 'open')
      for (const target of graph.get(file) ?? []) visit(target, [...path, file])
      state.set(file, 'done')
    }
    for (const file of all) visit(file, [])
    expect(circles).toEqual([])
  })

  test('imports run one way along the data: no module imports from a later layer', () => {
    const backwards = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => graph.has(target) && folderOf(target) !== folderOf(file) && layerOf(target) > layerOf(file))
        .map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`)
    )
    expect(backwards).toEqual([])
  })

  test(`no module is over ${MAX_LINES} lines`, () => {
    const long = all.map((file) => ({
      file: relative(SRC, file),
      lines: readFileSync(file, 'utf8').split('\n').length,
    })).filter((f) => f.lines > MAX_LINES)
    expect(long).toEqual([])
  })

  test('the browser code imports nothing from the server', () => {
    const client = all.filter((file) => relative(SRC, file).startsWith('web/client/'))
    const outside = client.flatMap((file) =>
      graph.get(file)!.filter((target) => !relative(SRC, target).startsWith('web/client/')).map((target) =>
        `${relative(SRC, file)} -> ${relative(SRC, target)}`
      )
    )
    expect(outside).toEqual([])
  })
})
