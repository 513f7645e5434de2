import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { MPEGDecoder } from 'mpg123-decoder'
import type { Frame } from '../../src/format/frame.ts'
import { FFMPEG, sineInput } from './fixtures.ts'
import { run } from './process.ts'

export interface FfmpegSourceOptions {
  password?: string
  user?: string
  frequency?: number
  seconds?: number
  bitrate?: string
  sampleRate?: number
  channels?: number
  /** Send at real-time speed (-re); false sends as fast as the connection takes it. */
  realtime?: boolean
  legacy?: boolean
  contentType?: string
  name?: string
  codec?: string[]
  format?: string
}

/**
 * A real ffmpeg streaming a synthesized tone to an Icecast source port: `PUT` (or the legacy
 * `SOURCE` method), with `Expect: 100-continue`, Basic auth and ice-* headers, as DJs' encoders do.
 */
export const ffmpegSource = (port: number, mount: string, options: FfmpegSourceOptions = {}) => {
  const {
    user = 'source',
    password = 's3cret',
    frequency = 880,
    seconds = 30,
    bitrate = '64k',
    sampleRate = 44100,
    channels = 2,
  } = options
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...(options.realtime === false ? [] : ['-re']),
    ...sineInput({ frequency, sampleRate, seconds, channels }),
    ...(options.codec ?? ['-c:a', 'libmp3lame', '-b:a', bitrate]),
    '-f',
    options.format ?? 'mp3',
    '-content_type',
    options.contentType ?? 'audio/mpeg',
    '-ice_name',
    options.name ?? 'Test DJ',
    ...(options.legacy ? ['-legacy_icecast', '1'] : []),
    `icecast://${user}:${password}@127.0.0.1:${port}${mount}`,
  ]
  return run(FFMPEG, args)
}

/** What a raw source client got back: the response head's status line and headers, its body, and whether the server closed. */
export interface RawResult {
  status: number
  head: string
  body: string
  closed: boolean
}

/**
 * A source client written by hand, to send exactly the request a test needs: writes `head`, reads
 * the server's first response, then (if accepted) writes `body` and waits until the server closes
 * the connection or `holdMs` passes.
 */
export const rawSource = (port: number, head: string, options: { body?: Uint8Array; holdMs?: number } = {}) =>
  new Promise<RawResult>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let received = Buffer.alloc(0)
    let result: RawResult | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const finish = (closed: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      if (!result) return reject(new Error(`no response; got ${JSON.stringify(received.toString('latin1'))}`))
      result.closed = closed
      const headEnd = received.indexOf('\r\n\r\n')
      result.body = headEnd >= 0 ? received.subarray(headEnd + 4).toString('utf8') : ''
      resolve(result)
    }
    socket.on('connect', () => socket.write(head))
    socket.on('data', (data) => {
      received = Buffer.concat([received, data])
      if (result || received.indexOf('\r\n\r\n') < 0) return
      const headText = received.subarray(0, received.indexOf('\r\n\r\n')).toString('latin1')
      result = { status: Number(headText.split(' ')[1]), head: headText, body: '', closed: false }
      if ((result.status === 100 || result.status === 200) && options.body) socket.write(options.body)
      timer = setTimeout(() => finish(false), options.holdMs ?? 5000)
    })
    socket.on('close', () => finish(true))
    socket.on('error', () => {})
  })

/** A request head for `rawSource`. */
export const sourceHead = (method: string, path: string, headers: Record<string, string | undefined>) =>
  `${method} ${path} HTTP/1.1\r\n${
    Object.entries(headers).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`).join('\r\n')
  }\r\n\r\n`

export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

/** Consecutive runs of frames with the same bitrate: [[128, 40], [64, 100], [128, 30]]. */
export const bitrateRuns = (frames: readonly Frame[]): [number, number][] => {
  const runs: [number, number][] = []
  for (const frame of frames) {
    const last = runs.at(-1)
    if (last && last[0] === frame.bitrate) last[1]++
    else runs.push([frame.bitrate, 1])
  }
  return runs
}

/** Runs ffmpeg to completion with `args`, resolving with its exit code and error output. */
export const ffmpegOnce = (args: string[]) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr })
    })
  })

/** Decodes MP3 bytes with mpg123 (WebAssembly), as a player would: the errors it met and the samples it got. */
export const decodeMp3 = async (bytes: Uint8Array) => {
  const decoder = new MPEGDecoder()
  await decoder.ready
  const decoded = decoder.decode(bytes)
  decoder.free()
  return decoded
}
