#!/usr/bin/env node
import { networkInterfaces } from 'node:os'
import process from 'node:process'
import { CliError, HELP, parseCli } from './config/cli.ts'
import { loadConfig } from './config/load.ts'
import { ConfigError, liveEnabled, sourcePortOf } from './config/schema.ts'
import { sourcePortAdmin } from './http/admin/admin-app.ts'
import { createApp } from './http/app.ts'
import { createLogger } from './log.ts'
import type { Mount } from './mount/mount.ts'
import { systemClock } from './clock.ts'
import { loadRuntime } from './runtime/index.ts'
import type { Runtime } from './runtime/types.ts'
import type { RunningIngest } from './ingest/server.ts'
import { SOURCE_USER } from './security/credentials.ts'
import { startIngest } from './ingest/server.ts'
import { redactUrl } from './input/relay/relay-client.ts'
import { Station, StationError } from './station/station.ts'
import { VERSION } from './version.ts'

const listenUrls = (host: string, port: number): string[] => {
  if (host !== '0.0.0.0' && host !== '::') return [`http://${host.includes(':') ? `[${host}]` : host}:${port}`]
  const urls = [`http://localhost:${port}`]
  try {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const a of addresses ?? []) {
        if (a.internal || (a.family !== 'IPv4' && host === '0.0.0.0')) continue
        if (a.family === 'IPv6' && a.address.startsWith('fe80')) continue
        urls.push(`http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${port}`)
      }
    }
  } catch {
    // not allowed to list interfaces (Deno without --allow-sys): localhost will do
  }
  return urls
}

/** What feeds a mount, for the start-up banner. */
const sourcesOf = (mount: Mount, live: boolean, demo: boolean): string => {
  const parts: string[] = []
  if (mount.hasPlaylist) parts.push(`${mount.playlistSize} file(s)${demo ? ' (built-in demo playlist: pass a folder or files to play your own)' : ''}`)
  if (mount.relayUrl) parts.push(`relaying ${redactUrl(mount.relayUrl)}`)
  if (live) parts.push('takes live sources')
  if (mount.fallback) parts.push(`falls back to ${mount.fallback.path}`)
  return parts.join(', ')
}

const start = async (argv: readonly string[], runtime: Runtime): Promise<void> => {
  const command = parseCli(argv)
  if (command.kind === 'help') return void process.stdout.write(HELP)
  if (command.kind === 'version') return void process.stdout.write(`airwave ${VERSION}\n`)
  const { config, demo } = await loadConfig(command.flags, command.playlist)
  const log = createLogger({ level: config.logLevel })
  log.info(`airwave ${VERSION} on ${runtime.name} ${runtime.version}`)
  const station = await Station.create(config, { log })
  const app = createApp(station, { hooks: runtime.hooks, log })
  let server
  try {
    server = await runtime.serve(app.fetch, { hostname: config.host, port: config.port })
  } catch (error) {
    await station.stop()
    const code = (error as { code?: string }).code
    if (code === 'EADDRINUSE') throw new StationError(`port ${config.port} on ${config.host} is already in use (choose another with --port)`)
    if (code === 'EACCES') throw new StationError(`not allowed to listen on port ${config.port} (ports below 1024 need privileges)`)
    throw error
  }
  let ingest: RunningIngest | undefined
  if (liveEnabled(config)) {
    const port = sourcePortOf(config)
    try {
      const admin = sourcePortAdmin(station, { log, clock: systemClock })
      ingest = await startIngest({ station, hostname: config.host, port, log: log.child('source port'), httpPort: server.port, admin })
    } catch (error) {
      await station.stop()
      await server.close()
      const code = (error as { code?: string }).code
      if (code === 'EADDRINUSE') throw new StationError(`source port ${port} on ${config.host} is already in use (choose another with --source-port)`)
      if (code === 'EACCES') throw new StationError(`not allowed to listen on source port ${port} (ports below 1024 need privileges)`)
      throw error
    }
  }
  station.start()
  // Before the banner: whoever reads it may signal at once (a supervisor, a test).
  runtime.onShutdownSignal(async (signal) => {
    log.info(`${signal}: closing listeners and shutting down`)
    await ingest?.close()
    await station.stop()
    await server.close()
    log.info('bye')
    runtime.exit(0)
  })
  const urls = listenUrls(config.host, server.port)
  for (const mount of station.mounts.values()) {
    const live = (mount.config.sourcePassword ?? config.sourcePassword) !== undefined
    log.info(`mount ${mount.path}: ${mount.describe()}, ${sourcesOf(mount, live, demo)}`)
  }
  log.info(`listening on ${config.host}:${server.port}; tune in at:`)
  for (const mount of station.mounts.values()) for (const url of urls) log.info(`  ${url}${mount.path}`)
  if (ingest) {
    log.info(`live sources: connect your encoder to port ${ingest.port}, user "${SOURCE_USER}", the source password, and a mount (${[...station.mounts.values()].filter((m) => (m.config.sourcePassword ?? config.sourcePassword) !== undefined).map((m) => m.path).join(', ')})`)
  } else {
    log.info(`live sources are off: start with --source-password (or AIRWAVE_SOURCE_PASSWORD) to let DJs take over on port ${sourcePortOf(config) || '(HTTP port + 1)'}`)
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
  console.error(`airwave: ${known ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  runtime.exit(usage ? 2 : 1)
}
