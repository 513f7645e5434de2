import type { MountConfig } from '../config/schema.ts'
import type { SourceInfo } from '../input/source.ts'

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
