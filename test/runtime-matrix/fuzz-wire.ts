import { Buffer } from 'node:buffer'
import { connect } from 'node:net'
import type { FuzzCase } from './fuzz-cases.ts'

/** What one fuzz case got back. */
export interface Exchange {
  fuzz: FuzzCase
  /** The status of each response seen (`HTTP/1.1 400 …`, `ICY 200 OK`). */
  statuses: number[]
  /** What came back, as Latin-1 (the first 64 KiB). */
  text: string
  /** The server closed or reset the connection before the fuzzer hung up (never true when it could not connect). */
  closed: boolean
  /** The socket error, if any (`ECONNRESET`, `EPIPE` …). */
  error?: string
}

const KEEP_BYTES = 64 * 1024
/** How long the fuzzer waits for more once it has an answer. */
const QUIET_MS = 60
const PAUSE_MS = 5

const STATUS_LINE = /(?:^|\n)(?:HTTP\/\d(?:\.\d)?|ICY) (\d{3})\b/g
/** A JavaScript stack frame (`    at parse (file:///…/x.ts:12:7)`, `    at <anonymous>`) or an error's first line followed by one. */
const STACK = /\n\s+at \S.*(?::\d+:\d+\)?|<anonymous>|\(native\))\s*(?:\n|$)|\b\w*Error: [^\n]*\n\s+at /

/** Whether `text` carries a JavaScript stack trace. */
export const hasStackTrace = (text: string): boolean => STACK.test(text)

/**
 * Plays one case over a raw TCP connection: writes its pieces (after the first answer, for a
 * source waiting for `100 Continue`), then reads until the server closes, goes quiet after
 * answering, or the case's read time is over; then hangs up. Never rejects.
 */
export const exchange = (fuzz: FuzzCase, port: number): Promise<Exchange> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: fuzz.localAddress })
    let kept = Buffer.alloc(0)
    let statuses: number[] = []
    let connected = false
    let closed = false
    let error: string | undefined
    let written = false
    let finished = false
    let quiet: ReturnType<typeof setTimeout> | undefined
    let answered: (() => void) | undefined
    const finish = () => {
      if (finished) return
      finished = true
      clearTimeout(deadline)
      clearTimeout(quiet)
      socket.destroy()
      answered?.()
      resolve({ fuzz, statuses, text: kept.toString('latin1'), closed, ...(error && { error }) })
    }
    const deadline = setTimeout(finish, fuzz.readMs)
    const settle = () => {
      clearTimeout(quiet)
      if (written && statuses.length > 0) quiet = setTimeout(finish, QUIET_MS)
    }
    socket.on('data', (data: Buffer) => {
      if (kept.length < KEEP_BYTES) {
        kept = Buffer.concat([kept, data.subarray(0, KEEP_BYTES - kept.length)])
        statuses = [...kept.toString('latin1').matchAll(STATUS_LINE)].map((m) => Number(m[1]))
      }
      if (statuses.length > 0) answered?.()
      settle()
    })
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message))
    socket.on('close', () => {
      closed = connected && !finished
      finish()
    })
    socket.on('connect', async () => {
      connected = true
      for (const [i, piece] of fuzz.writes.entries()) {
        if (finished || socket.destroyed) return
        if (i === 1 && fuzz.awaitAnswer && statuses.length === 0) {
          await new Promise<void>((wake) => (answered = wake))
          if (finished) return
        }
        if (i > 0) await new Promise((wait) => setTimeout(wait, PAUSE_MS))
        if (finished || socket.destroyed) return
        socket.write(piece)
      }
      if (fuzz.abort) return finish()
      written = true
      settle()
    })
  })

/** Plays every case, `concurrency` at a time, each against its port. */
export const playAll = async (
  cases: readonly FuzzCase[],
  ports: { listen: number; source: number },
  concurrency: number,
): Promise<Exchange[]> => {
  const results: Exchange[] = new Array(cases.length)
  let next = 0
  const worker = async () => {
    while (next < cases.length) {
      const i = next++
      results[i] = await exchange(cases[i]!, ports[cases[i]!.port])
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return results
}
