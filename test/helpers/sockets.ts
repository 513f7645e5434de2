import { readFileSync } from 'node:fs'

/**
 * Counts the server-side TCP connections in state ESTABLISHED whose local port is `port`, from
 * Linux's /proc/net/tcp and tcp6: what the kernel says, whatever the runtime believes.
 */
export const establishedConnections = (port: number): number => {
  let count = 0
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      if (fields.length < 4) continue
      const localPort = Number.parseInt(fields[1]!.split(':')[1]!, 16)
      if (localPort === port && fields[3] === '01') count++
    }
  }
  return count
}
