import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { DEMO_PLAYLIST } from '../source/demo.ts'
import type { CliFlags } from './cli.ts'
import { CliError } from './cli.ts'
import type { StationConfig } from './schema.ts'
import { ConfigError, parseStationConfig } from './schema.ts'

const FLAG_FOR_FIELD: Record<string, string> = {
  port: '--port',
  host: '--host',
  logLevel: '--log-level',
  'mounts[0].path': '--mount',
  'mounts[0].burst': '--burst',
  'mounts[0].name': '--name',
  name: '--name',
}

/** Where the configuration came from, for the start-up banner. */
export interface LoadedConfig {
  config: StationConfig
  /** True when the built-in demo playlist is playing (no playlist and no config file given). */
  demo: boolean
}

/**
 * Builds the station's configuration from the command line: either a config file (with --port,
 * --host and --log-level overriding it) or one mount from the flags and playlist arguments, or the
 * demo playlist when there is neither.
 *
 * @example
 * const { config } = await loadConfig(flags, ['~/Music'])
 */
export const loadConfig = async (flags: CliFlags, playlist: readonly string[]): Promise<LoadedConfig> => {
  const overrides = {
    ...(flags.port !== undefined && { port: flags.port }),
    ...(flags.host !== undefined && { host: flags.host }),
    ...(flags.logLevel !== undefined && { logLevel: flags.logLevel }),
  }
  if (flags.config !== undefined) {
    const mountFlags = (['mount', 'burst', 'shuffle', 'name'] as const).filter((f) => flags[f] !== undefined)
    if (playlist.length > 0 || mountFlags.length > 0) {
      const given = [...mountFlags.map((f) => `--${f}`), ...(playlist.length > 0 ? ['playlist arguments'] : [])]
      throw new CliError(`${given.join(', ')} cannot be combined with --config: set them per mount in the config file`)
    }
    const path = resolve(flags.config)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      throw new ConfigError(path, [`cannot read the file: ${(error as { code?: string }).code === 'ENOENT' ? 'not found' : String(error)}`])
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      throw new ConfigError(path, [`not valid JSON: ${error instanceof Error ? error.message : String(error)}`])
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new ConfigError(path, ['(root): expected a JSON object'])
    const config = parseStationConfig({ ...json, ...overrides }, path, (field) => (field in overrides ? FLAG_FOR_FIELD[field]! : field))
    return { config: { ...config, baseDir: dirname(path) }, demo: false }
  }
  const demo = playlist.length === 0
  const mount = {
    path: flags.mount ?? '/stream',
    playlist: demo ? [DEMO_PLAYLIST] : [...playlist],
    ...(flags.burst !== undefined && { burst: flags.burst }),
    ...(flags.shuffle !== undefined && { shuffle: flags.shuffle }),
    ...(flags.name !== undefined ? { name: flags.name } : demo ? { name: 'airwave demo' } : {}),
    ...(demo && { description: 'The built-in demo playlist: synthesized tones' }),
  }
  const config = parseStationConfig({ ...overrides, mounts: [mount] }, 'the command line', (field) => FLAG_FOR_FIELD[field] ?? field)
  return { config: { ...config, baseDir: process.cwd() }, demo }
}
