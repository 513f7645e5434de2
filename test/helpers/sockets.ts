import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { connect } from 'node:net'
import type { Socket } from 'node:net'

/** TCP states as /proc/net/tcp writes them. */
const STATES = { established: '01', closeWait: '08' } as const

/** Counts the server-side TCP connections whose local port is `port` in `state`, from /proc/net/tcp and tcp6. */
const connectionsIn = (state: keyof typeof STATES, port: number): number => {
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
      if (localPort === port && fields[3] === STATES[state]) count++
    }
  }
  return count
}

/**
 * Counts the server-side TCP connections in state ESTABLISHED whose local port is `port`, from
 * Linux's /proc/net/tcp and tcp6: what the kernel says, whatever the runtime believes.
 */
export const establishedConnections = (port: number): number => connectionsIn('established', port)

/**
 * The server's connections on `port` that the client closed but the server never did (TCP state
 * CLOSE_WAIT): sockets it leaks.
 */
export const halfClosedConnections = (port: number): number => connectionsIn('closeWait', port)

/**
 * The client ports of the ESTABLISHED connections on local port `port` that process `pid` holds
 * open: which listeners a worker process serves, told by the kernel.
 */
export const clientPortsOf = (pid: number, port: number): Set<number> => {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (match) inodes.add(match[1]!)
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      if (fields.length < 10 || fields[3] !== STATES.established) continue
      if (Number.parseInt(fields[1]!.split(':')[1]!, 16) !== port || !inodes.has(fields[9]!)) continue
      ports.add(Number.parseInt(fields[2]!.split(':')[1]!, 16))
    }
  }
  return ports
}

/**
 * A listener over raw HTTP/1.0 (the body is the audio, unchunked), with its client port, so a test
 * can tell which process serves it; `headers` are sent after its `User-Agent` (`name`).
 */
export const rawListener = (port: number, path: string, name: string, headers: Record<string, string> = {}) => {
  const socket = connect(port, '127.0.0.1')
  const parts: Buffer[] = []
  let head: string | undefined
  let ended = false
  const extra = Object.entries(headers).map(([key, value]) => `${key}: ${value}\r\n`).join('')
  socket.on('connect', () => socket.write(`GET ${path} HTTP/1.0\r\nUser-Agent: ${name}\r\n${extra}\r\n`))
  socket.on('data', (data: Buffer) => {
    if (head !== undefined) return void parts.push(data)
    parts.push(data)
    const all = Buffer.concat(parts)
    const end = all.indexOf('\r\n\r\n')
    if (end < 0) return
    head = all.subarray(0, end).toString('latin1')
    parts.length = 0
    parts.push(all.subarray(end + 4))
  })
  socket.on('close', () => (ended = true))
  socket.on('error', () => {})
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  return {
    name,
    connected,
    get port() {
      return socket.localPort!
    },
    get head() {
      return head
    },
    get ended() {
      return ended
    },
    body: () => Buffer.concat(parts),
    close: () => socket.destroy(),
  }
}

export type RawListener = ReturnType<typeof rawListener>

/**
 * `count` listeners of `path` on one socket each (kept in `open`, for the test to destroy), each
 * counting the bytes it received (head included) and whether the server ended its stream; cheaper
 * than `rawListener` for a crowd, as nothing is kept.
 */
export const countingListeners = (port: number, path: string, count: number, userAgent: string, open: Socket[]) =>
  Array.from({ length: count }, (_, i) => {
    const socket = connect(
      { host: '127.0.0.1', port },
      () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUser-Agent: ${userAgent}/${i}\r\n\r\n`),
    )
    const listener = { bytes: 0, ended: false }
    socket.on('data', (data) => (listener.bytes += data.length))
    socket.on('close', () => (listener.ended = true))
    socket.on('error', () => {})
    open.push(socket)
    return listener
  })
