#!/usr/bin/env node
import { networkInterfaces } from 'node:os'
import process from 'node:process'
import { CliError, HELP, parseCli } from './config/cli.ts'
import { loadConfig } from './config/load.ts'
import { servedHls } from './hls/hls-stream.ts'
import { ConfigError, sourcePortOf } from './config/schema.ts'
import { redactUrl } from './input/relay/relay-client.ts'
import { createLogger } from './log.ts'
import type { Mount } from './mount/mount.ts'
import { loadRuntime } from './runtime/index.ts'
import { shutdown } from './runtime/shutdown.ts'
import type { Runtime } from './runtime/types.ts'
import { SOURCE_USER } from './security/credentials.ts'
import { serveStation } from './serve.ts'
import { Station, StationError } from './station/station.ts'
import { VERSION } from './version.ts'

const listenUrls = (host: string, port: number, scheme: 'http' | 'https'): string[] => {
  if (host !== '0.0.0.0' && host !== '::') return [`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`]
  const urls = [`${scheme}://localhost:${port}`]
  try {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const a of addresses ?? []) {
        if (a.internal || (a.family !== 'IPv4' && host === '0.0.0.0')) continue
        if (a.family === 'IPv6' && a.address.startsWith('fe80')) continue
        urls.push(`${scheme}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${port}`)
      }
    }
  } catch {
    // not allowed to list interfaces (Deno without --allow-sys): localhost will do
  }
  return urls
}

/** What feeds a mount, for the start-up banner. */
const sourcesOf = (mount: Mount, demo: boolean): string => {
  const { relay, fallbackMount } = mount.config
  const parts: string[] = []
  if (mount.playlist) {
    const { size: found, playable } = mount.playlist
    const skipped = found > playable ? ` (${found - playable} of ${found} skipped: see the warnings above)` : ''
    const hint = demo ? ' (built-in demo playlist: pass a folder or files to play your own)' : ''
    parts.push(`${playable} playable file(s)${skipped}${hint}`)
    const { slots, jingles } = mount.playlist.programme
    if (slots.length > 0) parts.push(`${slots.length} schedule slot(s) (${mount.playlist.timeZone})`)
    if (jingles) parts.push('jingles')
  }
  if (relay) parts.push(`relaying ${redactUrl(relay)}`)
  if (mount.sourcePassword !== undefined) parts.push('takes live sources')
  if (fallbackMount) parts.push(`falls back to ${fallbackMount}`)
  return parts.join(', ')
}

const start = async (argv: readonly string[], runtime: Runtime): Promise<void> => {
  const command = parseCli(argv)
  if (command.kind === 'help') return void process.stdout.write(HELP)
  if (command.kind === 'version') return void process.stdout.write(`airwave ${VERSION}\n`)
  const { config, demo } = await loadConfig(command.flags, command.playlist)
  const log = createLogger({ level: config.logLevel })
  log.info(`airwave ${VERSION} on ${runtime.name} ${runtime.version}`)
  const configSource = async () => (await loadConfig(command.flags, command.playlist)).config
  const station = await Station.open(config, { log, configSource })
  const served = await serveStation(station, runtime, { log })
  // Before the banner: whoever reads it may signal at once (a supervisor, a test).
  runtime.onShutdownSignal((signal) =>
    shutdown(() => served.close(), { signal, log, exit: runtime.exit, pending: () => served.closing })
  )
  runtime.onReloadSignal((signal) => {
    log.info(`${signal}: reloading ${command.flags.config ?? 'the command line'}`)
    station.rereadConfig().catch(() => {})
  })
  const urls = listenUrls(config.host, served.port, served.tls.http ? 'https' : 'http')
  for (const mount of station.mounts.values()) {
    log.info(`mount ${mount.path}: ${mount.describe()}, ${sourcesOf(mount, demo)}`)
  }
  log.info(`listening on ${config.host}:${served.port}${served.tls.http ? ' (HTTPS)' : ''}; tune in at:`)
  for (const mount of station.mounts.values()) {
    const login = station.gate.locked(mount) ? ' (listeners log in)' : ''
    for (const url of urls) log.info(`  ${url}${mount.path}${login}`)
  }
  for (const mount of station.mounts.values()) {
    if (!servedHls(mount.hls, mount.params?.format) || station.gate.locked(mount)) continue
    log.info(`  ${urls[0]}/hls${mount.path}/live.m3u8 (HLS)`)
  }
  if (served.sourcePort !== undefined) {
    const live = [...station.mounts.values()]
      .filter((m) => m.sourcePassword !== undefined || station.gate.urlAuth(m)?.options.streamAuth !== undefined)
      .map((m) => m.path)
    log.info(
      `live sources: connect your encoder to port ${served.sourcePort}${
        served.tls.sourcePort ? ' with TLS' : ''
      }, user "${SOURCE_USER}", the source password, and a mount (${live.join(', ')})`,
    )
  } else {
    log.info(
      `live sources are off: start with --source-password (or AIRWAVE_SOURCE_PASSWORD) to let DJs take over on port ${
        sourcePortOf(config) || '(HTTP port + 1)'
      }`,
    )
  }
  if (config.adminPassword !== undefined) log.info(`admin API on ${urls[0]}/admin/ (user "${config.adminUser}")`)
  else log.info('admin API is off: start with --admin-password (or AIRWAVE_ADMIN_PASSWORD) to turn it on')
}

const runtime = await loadRuntime()
try {
  await start(process.argv.slice(2), runtime)
} catch (error) {
  const usage = error instanceof CliError || error instanceof ConfigError
  const known = usage || error instanceof StationError
  console.error(
    `airwave: ${known ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  )
  runtime.exit(usage ? 2 : 1)
}
