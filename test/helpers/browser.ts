import { expect } from 'bun:test'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { chromium } from 'playwright-core'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Where test runs save screenshots (git-ignored). */
export const ARTIFACTS = join(ROOT, 'test/.artifacts')

/**
 * The Chromium the browser tests drive: Debian's package (`apt-get install -y chromium`, which
 * `.ci/run` does), or `AIRWAVE_CHROMIUM`. A missing browser fails the tests; they never skip.
 */
export const chromiumPath = (): string => {
  const path = process.env.AIRWAVE_CHROMIUM ?? '/usr/bin/chromium'
  if (!existsSync(path)) {
    throw new Error(`no Chromium at ${path}: install it (Debian: apt-get install -y chromium) or set AIRWAVE_CHROMIUM`)
  }
  return path
}

/** Compiles the browser modules (src/web/client → dist/client), so the pages serve the code under test. */
export const buildClient = (): void => {
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'tsconfig.web.json')], { stdio: 'inherit' })
}

/**
 * Flags for headless Chromium on a machine with only loopback: no background traffic (updates,
 * sync, field trials, QUIC), no sandbox (root in a container), no GPU. Audio needs no flag: without
 * PulseAudio or an ALSA card Chromium renders to a fake output that runs in real time, so
 * `currentTime` advances; the autoplay policy is the desktop one (a click is needed to play).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface Browser {
  context: BrowserContext
  /** A new page whose problems (CSP violations, errors, dialogs, off-server requests) are recorded. */
  open(options?: { width?: number; height?: number }): Promise<WatchedPage>
  close(): Promise<void>
}

export interface WatchedPage {
  page: Page
  /** `securitypolicyviolation` events seen by the page: "directive blocked-uri". */
  violations(): Promise<string[]>
  /** Console errors and uncaught exceptions. */
  errors: string[]
  /** Dialogs (alert, confirm, prompt) the page tried to open: none may. */
  dialogs: string[]
  /** Requests to anywhere but loopback (127.0.0.1 or localhost). */
  outside: string[]
}

export interface LaunchOptions {
  /** What the browser answers a Basic login prompt with (as a user typing them in would). */
  httpCredentials?: { username: string; password: string }
  /** More Chromium flags (`--host-resolver-rules=…`, say). */
  args?: readonly string[]
}

/** Starts headless Chromium with a fresh profile (removed on close). */
export const launchBrowser = async (options: LaunchOptions = {}): Promise<Browser> => {
  const profile = mkdtempSync(join(tmpdir(), 'airwave-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    viewport: { width: 1000, height: 800 },
    httpCredentials: options.httpCredentials,
  })
  for (const page of context.pages()) await page.close()
  return {
    context,
    open: async (options = {}) => {
      const page = await context.newPage()
      await page.setViewportSize({ width: options.width ?? 1000, height: options.height ?? 800 })
      const watched: WatchedPage = {
        page,
        errors: [],
        dialogs: [],
        outside: [],
        violations: () => page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []),
      }
      // Runs before the page's own scripts (through DevTools, so the page's CSP does not apply to it).
      await page.addInitScript(() => {
        const seen: string[] = ((window as unknown as { __violations: string[] }).__violations = [])
        document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`))
      })
      page.on('console', (message) => message.type() === 'error' && watched.errors.push(message.text()))
      page.on('pageerror', (error) => watched.errors.push(error.message))
      page.on('dialog', (dialog) => {
        watched.dialogs.push(`${dialog.type()}: ${dialog.message()}`)
        void dialog.dismiss()
      })
      page.on('request', (request) => {
        const url = new URL(request.url())
        if (url.protocol !== 'data:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
          watched.outside.push(request.url())
        }
      })
      return watched
    },
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Saves a screenshot of the page as test/.artifacts/<name>.png; returns its path. */
export const screenshot = async (page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> => {
  mkdirSync(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path, fullPage: options.fullPage ?? true })
  return path
}

/** Nothing went wrong in the page: no CSP violation, error, dialog, or request off the server. */
export const expectClean = async (w: WatchedPage): Promise<void> => {
  expect(await w.violations()).toEqual([])
  expect(w.errors).toEqual([])
  expect(w.dialogs).toEqual([])
  expect(w.outside).toEqual([])
}

/** One note of what a page's `<audio>` plays: when, its loudest frequency, its clock, and the title then shown. */
export interface AudioSample {
  at: number
  hz: number
  time: number
  title: string
}

/**
 * Starts noting, every 40 ms, the loudest frequency the page's `<audio>` plays (Web Audio, in the
 * page), its `currentTime`, and the title: the text of `titleSelector`, or what the page's own
 * `window.__title()` returns when it defines one. Tracks made of tones in separate bands then
 * tell which one is heard.
 */
export const sampleAudio = (w: WatchedPage, titleSelector: string): Promise<void> =>
  w.page.evaluate((selector) => {
    const audio = document.querySelector('audio')!
    const context = new AudioContext()
    const analyser = context.createAnalyser()
    analyser.fftSize = 2048
    analyser.smoothingTimeConstant = 0
    context.createMediaElementSource(audio).connect(analyser)
    analyser.connect(context.destination)
    const bins = new Float32Array(analyser.frequencyBinCount)
    const page = window as unknown as { __samples: unknown[]; __title?: () => string }
    const samples: unknown[] = (page.__samples = [])
    setInterval(() => {
      analyser.getFloatFrequencyData(bins)
      let loudest = 0
      for (let i = 1; i < bins.length; i++) if (bins[i]! > bins[loudest]!) loudest = i
      samples.push({
        at: Date.now(),
        hz: (loudest * context.sampleRate) / analyser.fftSize,
        time: audio.currentTime,
        title: page.__title?.() ?? document.querySelector(selector)?.textContent ?? '',
      })
    }, 40)
  }, titleSelector)

/**
 * The samples as runs of what was heard (by `heard`) and the title shown, each with when it began
 * (seconds from the first sample): a line that says how a page followed the audio.
 *
 * @example
 * console.log(`Opus: ${describeRuns(samples, heard)}`) // '0.00 s Low Tone / Low Tone, 5.04 s High Tone / …'
 */
export const describeRuns = (samples: readonly AudioSample[], heard: (hz: number) => string): string => {
  const runs: { what: string; from: number }[] = []
  for (const s of samples) {
    const what = `${heard(s.hz)} / ${s.title}`
    if (runs.at(-1)?.what !== what) runs.push({ what, from: (s.at - samples[0]!.at) / 1000 })
  }
  return runs.map((r) => `${r.from.toFixed(2)} s ${r.what}`).join(', ')
}

/** What `sampleAudio` has noted so far. */
export const audioSamples = (w: WatchedPage): Promise<AudioSample[]> =>
  w.page.evaluate(() => (window as unknown as { __samples: AudioSample[] }).__samples)
