import { spawn } from 'node:child_process'
import { FrameParser } from '../../src/format/frame-parser.ts'
import type { Frame } from '../../src/format/frame.ts'
import { FFMPEG } from './fixtures.ts'

/** What a listener received: every read with its arrival time (ms since the request was sent). */
export interface Recording {
  status: number
  headers: Headers
  reads: { at: number; bytes: number }[]
  data: Buffer
}

/** Listens to `url` for `ms` milliseconds, recording when each piece arrived; then hangs up. */
export const record = async (url: string, ms: number, init?: RequestInit): Promise<Recording> => {
  const start = performance.now()
  const response = await fetch(url, init)
  const reads: Recording['reads'] = []
  const parts: Uint8Array[] = []
  const reader = response.body!.getReader()
  const stop = setTimeout(() => reader.cancel().catch(() => {}), ms)
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      reads.push({ at: performance.now() - start, bytes: r.value.length })
      parts.push(r.value)
    }
  } catch {
    // cancelled
  } finally {
    clearTimeout(stop)
  }
  return { status: response.status, headers: response.headers, reads, data: Buffer.concat(parts) }
}

/** Splits a recording into the burst (what arrived within `windowMs` of the first byte) and the rest. */
export const splitBurst = (recording: Recording, windowMs = 100) => {
  const first = recording.reads[0]?.at ?? 0
  const burstReads = recording.reads.filter((r) => r.at <= first + windowMs)
  const live = recording.reads.slice(burstReads.length)
  return { firstByteMs: first, burstBytes: burstReads.reduce((n, r) => n + r.bytes, 0), live }
}

/**
 * The rate (bytes/s) of the live part of a recording: bytes that arrived after the first live read,
 * over the time from the first live read to the last.
 */
export const liveRate = (live: Recording['reads']): number => {
  const bytes = live.slice(1).reduce((n, r) => n + r.bytes, 0)
  return bytes / ((live.at(-1)!.at - live[0]!.at) / 1000)
}

/** Runs ffmpeg (npm's, unless `binary` is given) with `args`; resolves with its exit code, stderr and stdout byte count. */
export const runFfmpeg = (args: string[], timeoutMs = 30_000, binary = FFMPEG) =>
  new Promise<{ code: number | null; stderr: string; stdoutBytes: number }>((resolve) => {
    const child = spawn(binary, ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    let stdoutBytes = 0
    child.stdout.on('data', (d: Buffer) => (stdoutBytes += d.length))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr, stdoutBytes })
    })
  })

/** A listener reading a stream in the background, with the MP3 frames it received so far. */
export const openListener = async (url: string, init?: RequestInit) => {
  const response = await fetch(url, init)
  const reader = response.body!.getReader()
  const parts: Uint8Array[] = []
  const reads: { at: number; bytes: number }[] = []
  const start = performance.now()
  let error: unknown
  let ended = false
  let cancelled = false
  const reading = (async () => {
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        parts.push(r.value)
        reads.push({ at: performance.now() - start, bytes: r.value.length })
      }
      ended = true
    } catch (e) {
      if (!cancelled) error = e
    }
  })()
  const bytes = () => Buffer.concat(parts)
  return {
    response,
    reads,
    bytes,
    /** The MP3 frames received so far (the last one arrives with the next). */
    frames: (): Frame[] => [...new FrameParser('mp3').push(bytes())],
    /** Whether the server ended or broke the stream (not the test hanging up). */
    get broken() {
      return ended || error !== undefined
    },
    stop: async () => {
      cancelled = true
      await reader.cancel().catch(() => {})
      await reading
    },
  }
}

/** Decodes `seconds` of a stream URL with a real ffmpeg, to 16-bit stereo 44.1 kHz PCM, counting what came out. */
export const decodeWithFfmpeg = async (url: string, seconds: number) => {
  const { code, stderr, stdoutBytes } = await runFfmpeg([
    '-v',
    'error',
    '-i',
    url,
    '-t',
    String(seconds),
    '-f',
    's16le',
    '-ac',
    '2',
    '-ar',
    '44100',
    '-',
  ])
  return { code, stderr, seconds: stdoutBytes / (44100 * 4) }
}
