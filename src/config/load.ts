import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { DEMO_PLAYLIST } from './demo.ts'
import type { CliFlags } from './cli.ts'
import { CliError } from './cli.ts'
import type { StationConfig } from './schema.ts'
import { ConfigError, parseStationConfig } from './schema.ts'

const FLAG_FOR_FIELD: Record<string, string> = {
  port: '--port',
  workers: '--workers',
  host: '--host',
  logLevel: '--log-level',
  'mounts[0].path': '--mount',
  'mounts[0].burst': '--burst',
  'mounts[0].name': '--name',
  'mounts[0].relay': '--relay',
  'mounts[0]': 'the mount',
  name: '--name',
  sourcePort: '--source-port',
  sourcePassword: '--source-password',
  adminPassword: '--admin-password',
  adminUser: '--admin-user',
  'tls.cert': '--tls-cert',
  'tls.key': '--tls-key',
  'tls.sourcePort': '--tls-source-port',
}

/** Environment variables that may hold the passwords, so they need not be typed on a command line. */
const PASSWORD_ENV = {
  sourcePassword: 'AIRWAVE_SOURCE_PASSWORD',
  adminPassword: 'AIRWAVE_ADMIN_PASSWORD',
} as const

/** Station settings given by flags or the environment, which override the config file. */
const stationOverrides = (flags: CliFlags, env: Readonly<Record<string, string | undefined>>) => {
  const fromEnv = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name])
  const sourcePassword = flags.sourcePassword ?? fromEnv(PASSWORD_ENV.sourcePassword)
  const adminPassword = flags.adminPassword ?? fromEnv(PASSWORD_ENV.adminPassword)
  return {
    ...(flags.port !== undefined && { port: flags.port }),
    ...(flags.workers !== undefined && { workers: flags.workers }),
    ...(flags.host !== undefined && { host: flags.host }),
    ...(flags.logLevel !== undefined && { logLevel: flags.logLevel }),
    ...(flags.sourcePort !== undefined && { sourcePort: flags.sourcePort }),
    ...(sourcePassword !== undefined && { sourcePassword }),
    ...(adminPassword !== undefined && { adminPassword }),
    ...(flags.adminUser !== undefined && { adminUser: flags.adminUser }),
  }
}

/**
 * The TLS settings the flags give over the config file's (`fromFile`), their paths the working
 * directory's; and which of the fields they gave, for messages to name the flag.
 */
const tlsOverride = (flags: CliFlags, fromFile: unknown): { tls?: Record<string, unknown>; given: string[] } => {
  const given = {
    ...(flags.tlsCert !== undefined && { cert: resolve(flags.tlsCert) }),
    ...(flags.tlsKey !== undefined && { key: resolve(flags.tlsKey) }),
    ...(flags.tlsSourcePort !== undefined && { sourcePort: flags.tlsSourcePort }),
  }
  if (Object.keys(given).length === 0) return { given: [] }
  const file = typeof fromFile === 'object' && fromFile !== null ? fromFile : {}
  return { tls: { ...file, ...given }, given: Object.keys(given).map((field) => `tls.${field}`) }
}

/** The config with its TLS files' paths resolved against `baseDir` (the config file's folder). */
const withBaseDir = (config: StationConfig, baseDir: string): StationConfig => ({
  ...config,
  ...(config.tls &&
    { tls: { ...config.tls, cert: resolve(baseDir, config.tls.cert), key: resolve(baseDir, config.tls.key) } }),
  baseDir,
})

/** Where the configuration came from, for the start-up banner. */
export interface LoadedConfig {
  config: StationConfig
  /** True when the built-in demo playlist is playing (no playlist and no config file given). */
  demo: boolean
}

/**
 * Builds the station's configuration from the command line: either a config file (with --port,
 * --host, --log-level, --source-port, --tls-* and the passwords overriding it) or one mount from the flags
 * and playlist arguments, or the demo playlist when there is neither (and no relay). Passwords may
 * also come from AIRWAVE_SOURCE_PASSWORD and AIRWAVE_ADMIN_PASSWORD; a flag wins over the variable,
 * which wins over the file.
 *
 * @example
 * const { config } = await loadConfig(flags, ['~/Music'])
 */
export const loadConfig = async (
  flags: CliFlags,
  playlist: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<LoadedConfig> => {
  const overrides = stationOverrides(flags, env)
  if (flags.config !== undefined) {
    const mountFlags = (['mount', 'burst', 'shuffle', 'name', 'relay'] as const).filter((f) => flags[f] !== undefined)
    if (playlist.length > 0 || mountFlags.length > 0) {
      const given = [...mountFlags.map((f) => `--${f}`), ...(playlist.length > 0 ? ['playlist arguments'] : [])]
      throw new CliError(`${given.join(', ')} cannot be combined with --config: set them per mount in the config file`)
    }
    const path = resolve(flags.config)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      throw new ConfigError(path, [
        `cannot read the file: ${(error as { code?: string }).code === 'ENOENT' ? 'not found' : String(error)}`,
      ])
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      throw new ConfigError(path, [`not valid JSON: ${error instanceof Error ? error.message : String(error)}`])
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new ConfigError(path, ['(root): expected a JSON object'])
    }
    const tls = tlsOverride(flags, (json as { tls?: unknown }).tls)
    const config = parseStationConfig(
      { ...json, ...overrides, ...(tls.tls && { tls: tls.tls }) },
      path,
      (field) => (field in overrides || tls.given.includes(field) ? FLAG_FOR_FIELD[field]! : field),
    )
    return { config: withBaseDir(config, dirname(path)), demo: false }
  }
  const demo = playlist.length === 0 && flags.relay === undefined
  const mount = {
    path: flags.mount ?? '/stream',
    ...(demo ? { playlist: [DEMO_PLAYLIST] } : playlist.length > 0 && { playlist: [...playlist] }),
    ...(flags.relay !== undefined && { relay: flags.relay }),
    ...(flags.burst !== undefined && { burst: flags.burst }),
    ...(flags.shuffle !== undefined && { shuffle: flags.shuffle }),
    ...(flags.name !== undefined ? { name: flags.name } : demo ? { name: 'airwave demo' } : {}),
    ...(demo && { description: 'The built-in demo playlist: synthesized tones' }),
  }
  const { tls } = tlsOverride(flags, undefined)
  const config = parseStationConfig(
    { ...overrides, ...(tls && { tls }), mounts: [mount] },
    'the command line',
    (field) => FLAG_FOR_FIELD[field] ?? field,
  )
  return { config: withBaseDir(config, process.cwd()), demo }
}
