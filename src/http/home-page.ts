import type { Station } from '../station.ts'

/** Escapes text for HTML element content and attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/**
 * A minimal page listing the station's mounts, each with a player and a direct link.
 *
 * @example
 * app.get('/', (c) => c.html(homePage(station)))
 */
export const homePage = (station: Station): string => {
  const rows = [...station.mounts.values()]
    .map((mount) => {
      const name = mount.config.name ?? mount.path
      const onAir = mount.onAir?.track.title
      return `<li>
  <h2>${escapeHtml(name)}</h2>
  ${mount.config.description ? `<p>${escapeHtml(mount.config.description)}</p>` : ''}
  <p><a href=".${escapeHtml(mount.path)}">${escapeHtml(mount.path)}</a> · ${escapeHtml(mount.describe())} · ${mount.broadcaster.size} listening${onAir ? ` · on air: ${escapeHtml(onAir)}` : ''}</p>
  <audio controls preload="none" src=".${escapeHtml(mount.path)}"></audio>
</li>`
    })
    .join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(station.config.name ?? 'airwave')}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}ul{list-style:none;padding:0}li{margin-bottom:2rem}audio{width:100%}</style>
</head>
<body>
<h1>${escapeHtml(station.config.name ?? 'airwave')}</h1>
<ul>
${rows}
</ul>
</body>
</html>
`
}
