// deno-fmt-ignore-file -- the HTML templates' whitespace is the pages' own: no formatter may reflow it
import type { Mount } from '../mount/mount.ts'
import type { Station } from '../station/station.ts'
import type { Html } from './html.ts'
import { html } from './html.ts'
import { INPUT_LABELS } from './client/timeline.ts'
import { DASHBOARD_MODULES, shell } from './shell.ts'

const STYLESHEETS = ['style.css', 'dashboard.css']

const stationName = (station: Station): string => station.config.name ?? 'airwave'

/**
 * A mount's programme and request queue. The server fills in the slot on air and the time zone;
 * the browser module (`src/web/client/programme-panel.ts`) the rest, and keeps it current. Hidden
 * for a mount without a playlist. The Request form works without script too (the admin API's
 * `request` command, answered in XML).
 */
const programmePart = (mount: Mount, id: string): Html => {
  const playlist = mount.playlist
  return html`<div class="programme"${playlist ? '' : html` hidden`}>
<section class="schedule" aria-labelledby="${id}-programme">
<h3 id="${id}-programme">Programme</h3>
<p class="slot-line">Slot on air: <span class="slot">${playlist ? (playlist.programme.slotNow?.name ?? 'Default rotation') : ''}</span></p>
<p class="next"></p>
<p class="zone">Today (times in <span class="tz">${playlist?.timeZone ?? ''}</span>):</p>
<ul class="slots"></ul>
<p class="jingles"></p>
</section>
<section class="requests" aria-labelledby="${id}-requests">
<h3 id="${id}-requests">Requests</h3>
<ol class="queue"></ol>
<p class="empty" hidden>No requests queued.</p>
<form class="request" action="request" method="get">
<input type="hidden" name="mount" value="${mount.path}">
<label for="${id}-path">File</label>
<input id="${id}-path" name="path" required maxlength="4096" autocomplete="off" placeholder="/srv/music/song.mp3">
<button type="submit">Request</button>
</form>
<p class="result" role="status" aria-live="polite"></p>
</section>
</div>`
}

/**
 * One mount's panel. The server renders what it knows now (name, input, title, which buttons
 * apply) and the browser module (`src/web/client/dashboard.ts`) keeps it current: the chart, the
 * listeners and their Kick buttons, the actions' results, the programme and its requests. The
 * forms work without script too (they are the admin API's `skip`, `metadata` and `request`
 * commands, answered in XML).
 */
const mountPanel = (mount: Mount, index: number): Html => {
  const id = `d${index}`
  const input = mount.input ?? 'off-air'
  const titled = input === 'live' || input === 'relay'
  return html`<section class="panel" id="${id}" data-mount="${mount.path}" aria-labelledby="${id}-name">
<div class="panel-head">
<h2 id="${id}-name">${mount.config.name ?? mount.path} <span class="path">${mount.config.name ? mount.path : ''}</span></h2>
<p class="summary"><span class="input" data-input="${input}">${INPUT_LABELS[input]}</span> <span class="stream">${mount.describe()}</span></p>
<p class="counts"><span class="count">${mount.broadcaster.size}</span> listening<span class="hls"></span></p>
</div>
<div class="on-air">
<p class="title">${mount.isOnAir ? (mount.onAir?.track.title ?? '') : ''}</p>
<p class="detail"></p>
</div>
<div class="actions">
<form class="skip" action="skip" method="get">
<input type="hidden" name="mount" value="${mount.path}">
<button type="submit"${mount.playlist ? '' : html` disabled`}>Skip track</button>
</form>
<form class="retitle" action="metadata" method="get">
<input type="hidden" name="mount" value="${mount.path}">
<input type="hidden" name="mode" value="updinfo">
<fieldset${titled ? '' : html` disabled`}>
<label for="${id}-song">New title</label>
<input id="${id}-song" name="song" required maxlength="1024" autocomplete="off" placeholder="Artist - Title">
<button type="submit">Update title</button>
</fieldset>
</form>
</div>
<p class="hint"></p>
<p class="result" role="status" aria-live="polite"></p>
${programmePart(mount, id)}
<figure class="chart">
<svg role="img" aria-label="Listeners over time" xmlns="http://www.w3.org/2000/svg"></svg>
<figcaption></figcaption>
</figure>
<table class="listeners">
<caption>Listeners</caption>
<thead><tr><th scope="col">ID</th><th scope="col">Address</th><th scope="col">User agent</th><th scope="col" class="number">Connected for</th><th scope="col" class="number">Sent</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
<tbody></tbody>
</table>
<p class="more"></p>
</section>`
}

/**
 * The operator dashboard at `GET /admin/` (behind the admin login): per mount the listener count
 * over time as a chart, what is on air and from which input, the programme (slot on air, today's
 * schedule, jingles) and the request queue with its controls, the connected listeners with a Kick
 * button each, Skip track and Update title. The browser module polls `dashboard.json` and calls
 * the admin API's commands; nothing runs inline, every text is escaped here and set as text there.
 *
 * @example
 * adminApp.get('/', pageSecurity(), (c) => htmlResponse(c.req.raw, dashboardPage(station)))
 */
export const dashboardPage = (station: Station): string =>
  shell({
    title: `Dashboard · ${stationName(station)}`,
    base: '../',
    layout: 'dashboard',
    modules: DASHBOARD_MODULES,
    stylesheets: STYLESHEETS,
    body: html`<main id="dashboard">
<header class="top">
<div>
<h1>${stationName(station)} <span class="sub">dashboard</span></h1>
<p class="links"><a href="../">Listener page</a> · <a href="listmounts">Admin API</a></p>
</div>
<p class="connection" role="status" aria-live="polite"><noscript>The dashboard needs JavaScript to show listeners and the chart; the admin API works without it.</noscript></p>
</header>
<form class="controls" role="search">
<label>Filter listeners <input type="search" name="filter" placeholder="Address, user agent or #id" autocomplete="off"></label>
<label>Chart <select name="range"><option value="3600">last hour</option><option value="21600">last 6 hours</option><option value="86400">last 24 hours</option></select></label>
</form>
${[...station.mounts.values()].map((mount, i) => mountPanel(mount, i))}
</main>`,
  })

/**
 * The page sent instead of the dashboard when the request is refused: no or wrong credentials (the
 * browser shows it when its login prompt is cancelled), the admin area off, too many failed logins.
 *
 * @example
 * htmlResponse(c.req.raw, refusalPage(station, 401, 'Authentication required'), {}, 401)
 */
export const refusalPage = (station: Station, status: number, message: string): string =>
  shell({
    title: `${status === 401 ? 'Log in' : 'Refused'} · ${stationName(station)}`,
    base: '../',
    layout: 'dashboard',
    stylesheets: STYLESHEETS,
    body: html`<main id="refused">
<h1>${status === 401 ? 'Log in to see the dashboard' : 'The dashboard is not available'}</h1>
<p>${status === 401 ? 'Log in as the admin user (--admin-user, "admin" by default) with the admin password.' : message}</p>
<p><a href="../">The listener page</a></p>
</main>`,
  })
