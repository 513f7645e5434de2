import process from 'node:process'

/**
 * Calls `handler` once, on the first SIGINT or SIGTERM (Node and Bun).
 *
 * @example
 * onProcessSignals(async () => { await served.close(); process.exit(0) })
 */
export const onProcessSignals = (handler: (signal: string) => void): void => {
  const once = (signal: string) => {
    process.off('SIGINT', once)
    process.off('SIGTERM', once)
    handler(signal)
  }
  process.on('SIGINT', once)
  process.on('SIGTERM', once)
}

/**
 * Calls `handler` on every SIGHUP (Node and Bun), which would otherwise end the process at once.
 *
 * @example
 * onProcessReload((signal) => log.info(`${signal}: carrying on`))
 */
export const onProcessReload = (handler: (signal: string) => void): void => {
  process.on('SIGHUP', handler)
}
