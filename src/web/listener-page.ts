// deno-fmt-ignore-file -- the HTML templates' whitespace is the pages' own: no formatter may reflow it
import { formatLabel } from '../format/params.ts'
import { servedHls } from '../hls/hls-stream.ts'
import type { Mount } from '../mount/mount.ts'
import type { OnAir } from '../mount/now-playing.ts'
import type { Clock } from '../clock.ts'
import type { Station } from '../station/station.ts'
import type { Html } from './html.ts'
import { html } from './html.ts'
import { formatDuration, trackLines } from './client/timeline.ts'
import { CLIENT_MODULES, shell } from './shell.ts'

const mountName = (mount: Mount): string => mount.config.name ?? mount.path.slice(1)

const listening = (count: number): string => `${count} listening`

/** The track's two lines: the song (or the whole title) and the artist. */
const nowPlaying = (onAir: OnAir | undefined): Html => {
  const { song, artist } = onAir ? trackLines(onAir.track) : { song: 'Nothing on air yet', artist: '' }
  return html`<span class="song">${song}</span><span class="artist">${artist}</span>`
}

const progress = (onAir: OnAir | undefined, clock: Clock): Html => {
  const elapsed = onAir ? (clock.now() - onAir.since) / 1000 : 0
  const duration = onAir?.track.duration
  const time = onAir ? `${formatDuration(elapsed)}${duration ? ` / ${formatDuration(duration)}` : ''}` : ''
  return html`<div class="progress"><progress max="${duration ? duration.toFixed(2) : 1}" value="${duration ? Math.min(elapsed, duration).toFixed(1) : 0}" aria-label="Track progress"${duration ? '' : html` hidden`}></progress><span class="time">${time}</span></div>`
}

const historyList = (history: readonly OnAir[]): Html =>
  html`<ol class="history">${history.map(
    (h) => html`<li><time datetime="${h.startedAt.toISOString()}">${h.startedAt.toISOString().slice(11, 16)}</time> <span class="title">${h.track.title}</span></li>`,
  )}</ol>`

interface CardOptions {
  /** The card's element id (and prefix of its children's ids). */
  id: string
  /** Relative path from the page to the app's root. */
  base: string
  compact: boolean
}

/**
 * One mount's player: play button, what is on air with its progress, listeners, a status line for
 * the connection, and (unless compact) the recent history and links for other players. The browser
 * module (`src/web/client/player.ts`) finds it by `data-mount` and brings it to life.
 */
const mountCard = (mount: Mount, clock: Clock, options: CardOptions): Html => {
  const { id, base, compact } = options
  const name = mountName(mount)
  const stream = `${base}${mount.path.slice(1)}`
  const { params } = mount
  // Offered once its playlist lists a segment: before, it answers 503.
  const hls = servedHls(mount.hls, params?.format)?.segmenter.window.last ? mount.hls : undefined
  const details = [params ? formatLabel(params.format) : 'off air', params && `${params.bitrate} kbit/s`, mount.config.genre].filter(Boolean).join(' · ')
  return html`<section class="mount" id="${id}" data-mount="${mount.path}" data-burst="${mount.config.burst}" data-chunk="${mount.config.chunkDuration}"${hls ? html` data-hls-segment="${hls.segmenter.segmentSeconds}"` : ''} aria-labelledby="${id}-name">
<div class="head">
<button type="button" class="play" aria-label="Play ${name}" aria-describedby="${id}-now"><span class="icon" aria-hidden="true"></span><span class="play-text">Play</span></button>
<div class="info">
${compact
  ? html`<p class="name" id="${id}-name"><a href="${base}" target="_blank" rel="noopener" title="Open the station's page">${name}</a></p>`
  : html`<h2 class="name" id="${id}-name">${name}</h2>`}
<p class="meta">${details} · <span class="listeners">${listening(mount.broadcaster.size)}</span></p>
</div>
</div>
${!compact && mount.config.description ? html`<p class="description">${mount.config.description}</p>` : ''}
<p class="now" id="${id}-now">${nowPlaying(mount.onAir)}</p>
${progress(mount.onAir, clock)}
<p class="state" role="status" aria-live="polite"></p>
<noscript><audio controls preload="none" src="${stream}"></audio></noscript>
${compact
  ? ''
  : html`<h3>Recently played</h3>
${historyList(mount.history)}
<p class="links">Listen in your own player: <a href="${stream}.m3u">M3U</a> · <a href="${stream}.pls">PLS</a> · <a href="${stream}">stream URL</a>${hls ? html` · <a href="${base}hls${mount.path}/live.m3u8">HLS</a>` : ''}</p>`}
</section>`
}

/**
 * The listener page at `GET /`: every mount with its player, now playing, listeners and history.
 * `base` is the relative path from the page to the app's root: `./`, or `./radio/` for a page asked
 * for as `/radio` (the app routed under `/radio`, without a trailing slash).
 *
 * @example
 * app.get('/', pageSecurity(), (c) => htmlResponse(c.req.raw, listenerPage(station, clock)))
 */
export const listenerPage = (station: Station, clock: Clock, base = './'): string => {
  const title = station.config.name ?? 'airwave'
  const mounts = [...station.mounts.values()]
  return shell({
    title,
    base,
    layout: 'page',
    modules: CLIENT_MODULES,
    body: html`<main id="station" data-base="${base}" data-events="api/events">
<header><h1>${title}</h1></header>
<p class="connection" role="status" aria-live="polite"></p>
<audio class="player" preload="none" hidden></audio>
${mounts.map((mount, i) => mountCard(mount, clock, { id: `m${i}`, base, compact: false }))}
</main>
<footer><p>Powered by airwave</p></footer>`,
  })
}

/**
 * The relative path from `/embed/<mount>` back to the app's root: one `../` per segment.
 *
 * @example
 * embedBase('/jazz/hq') // '../../'
 */
export const embedBase = (mountPath: string): string => '../'.repeat(mountPath.split('/').length - 1)

/**
 * The compact player at `GET /embed/<mount>`, for an `<iframe>` on another site.
 *
 * @example
 * <iframe src="https://radio.example/embed/stream" title="Radio" width="100%" height="140"></iframe>
 */
export const embedPage = (mount: Mount, clock: Clock): string => {
  const base = embedBase(mount.path)
  const name = mountName(mount)
  return shell({
    title: name,
    base,
    layout: 'embed',
    modules: CLIENT_MODULES,
    body: html`<main id="station" data-base="${base}" data-events="api/mounts${mount.path}/events">
<audio class="player" preload="none" hidden></audio>
${mountCard(mount, clock, { id: 'm0', base, compact: true })}
</main>`,
  })
}
