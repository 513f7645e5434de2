import type { Mount } from '../mount/mount.ts'
import { oneLine } from '../util/text.ts'

const name = (mount: Mount) => oneLine(mount.config.name ?? mount.path)

/**
 * A playlist file that players open to tune in: `/<mount>.m3u` (`audio/x-mpegurl`) or
 * `/<mount>.pls` (`audio/x-scpls`), pointing at the stream's absolute URL under `base`, the
 * station's public URL (prefix included).
 *
 * @example
 * playlistFile(mount, 'pls', 'http://radio.example:8000')
 */
export const playlistFile = (mount: Mount, kind: 'm3u' | 'pls', base: string): Response => {
  const url = `${base}${mount.path}`
  const body = kind === 'm3u'
    ? `#EXTM3U\n#EXTINF:-1,${name(mount)}\n${url}\n`
    : `[playlist]\nNumberOfEntries=1\nFile1=${url}\nTitle1=${name(mount)}\nLength1=-1\nVersion=2\n`
  return new Response(body, {
    headers: {
      'Content-Type': kind === 'm3u' ? 'audio/x-mpegurl; charset=utf-8' : 'audio/x-scpls; charset=utf-8',
      'Content-Disposition': `inline; filename="${mount.path.split('/').pop()}.${kind}"`,
      'Cache-Control': 'no-cache',
    },
  })
}
