#!/usr/bin/env node
import { networkInterfaces } from 'node:os'
import process from 'node:process'
import { CliError, HELP, parseCli } from './config/cli.ts'
import { loadConfig } from './config/load.ts'
import { ConfigError } from './config/schema.ts'
import { createApp } from './http/app.ts'
import { createLogger } from './log.ts'
import { loadRuntime } from './runtime/index.ts'
import type { Runtime } from './runtime/types.ts'
import { Station, StationError } from './station.ts'
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
  station.start()
  const urls = listenUrls(config.host, server.port)
  for (const mount of station.mounts.values()) {
    log.info(`mount ${mount.path}: ${mount.describe()}, ${mount.playlistSize} file(s)${demo ? ' (built-in demo playlist: pass a folder or files to play your own)' : ''}`)
  }
  log.info(`listening on ${config.host}:${server.port}; tune in at:`)
  for (const mount of station.mounts.values()) for (const url of urls) log.info(`  ${url}${mount.path}`)
  runtime.onShutdownSignal(async (signal) => {
    log.info(`${signal}: closing listeners and shutting down`)
    await station.stop()
    await server.close()
    log.info('bye')
    runtime.exit(0)
  })
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
