import type { MountConfig } from '../config/schema.ts'
import type { SourceInfo } from '../input/source.ts'
import type { InputKind } from '../input/track.ts'

/** What listeners are told about a stream (`icy-*` headers, status): the mount's config, completed by its source's. */
export interface StreamInfo {
  name?: string
  description?: string
  genre?: string
  url?: string
  public: boolean
}

/**
 * A stream's name, description, genre, URL and whether directories may list it: each from the
 * mount's config when set, else from what its source on air says.
 *
 * @example
 * streamInfo(mount.config, { name: 'DJ Night', public: true }) // { name: 'DJ Night', public: true }
 */
export const streamInfo = (
  config: Pick<MountConfig, 'name' | 'description' | 'genre' | 'url' | 'public'>,
  source: SourceInfo = {},
): StreamInfo => {
  const info: StreamInfo = { public: config.public || (source.public ?? false) }
  const name = config.name ?? source.name
  const description = config.description ?? source.description
  const genre = config.genre ?? source.genre
  const url = config.url ?? source.url
  if (name !== undefined) info.name = name
  if (description !== undefined) info.description = description
  if (genre !== undefined) info.genre = genre
  if (url !== undefined) info.url = url
  return info
}

/**
 * The log line for a change of what a mount plays: a live source or relay on air (from where), back
 * to the playlist, or off air (and where listeners go).
 *
 * @example
 * inputLine('live', 'playlist', '203.0.113.7', config) // 'live source on air (203.0.113.7)'
 */
export const inputLine = (
  active: InputKind | undefined,
  previous: InputKind | undefined,
  origin: string | undefined,
  config: Pick<MountConfig, 'fallbackMount' | 'relay'>,
): string | undefined => {
  const fallback = config.fallbackMount
  if (active === 'live') return `live source on air (${origin ?? 'unknown'})`
  if (active === 'relay') return `relay on air (${origin ?? config.relay})`
  if (active === 'playlist') return previous === undefined ? undefined : 'back to the playlist'
  return `off air${fallback ? `: listeners go to ${fallback}` : ': listeners wait for a source'}`
}
