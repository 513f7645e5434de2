import { isAbsolute, relative, resolve, sep } from 'node:path'
import type { StreamParams } from '../../format/params.ts'
import type { Result } from '../../util/result.ts'
import { done, refused } from '../../util/result.ts'
import type { QueuedRequest, RequestQueue } from '../programme/request-queue.ts'
import { displayTitle, titleFromPath } from '../track.ts'
import type { Ready, Rotation } from './rotation.ts'
import { readyToPlay } from './rotation.ts'
import { entryPath } from './resolve-playlist.ts'

/** Where a mount's requests may come from, and what they must match. */
export interface RequestRules {
  /** The mount's playlists: any file they held at their last scan may be requested. */
  readonly rotations: readonly Rotation[]
  /** Folders any of whose files (at any depth) may be requested too. */
  readonly folders: readonly string[]
  /** Where relative paths resolve. */
  readonly baseDir?: string
  /** The mount's stream: a request must match it. */
  readonly params: StreamParams
}

/** The most requests a mount queues. */
const MAX_REQUESTS = 1000

/** A path as the playlists name their files (relative to the config file's folder), `..` resolved. */
const absolute = (path: string, baseDir: string | undefined): string =>
  resolve(entryPath(path, baseDir ?? process.cwd()))

/**
 * Checks a file asked for as a request: it must be in one of the mount's playlists or under one of
 * its request folders (a path is resolved first, so `..` cannot climb out), be audio the mount
 * can play (its format, sample rate and channels); then it is ready to queue, tags read. Refused
 * with what the operator can do about it otherwise.
 *
 * @example
 * const checked = await checkRequest('music/a.mp3', rules)
 * if (!checked.ok) return c.json({ error: checked.reason }, 422)
 */
export const checkRequest = async (given: string, rules: RequestRules): Promise<Result<Ready>> => {
  const path = absolute(given, rules.baseDir)
  const listed = rules.rotations.some((rotation) => rotation.has(path))
  const inFolder = rules.folders.some((folder) => {
    const inside = relative(absolute(folder, rules.baseDir), path)
    return inside !== '' && !inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside)
  })
  if (!listed && !inFolder) {
    return refused(
      `${path} is not in the mount's playlists${
        rules.folders.length > 0 ? ' or request folders' : ''
      }: add it to a playlist, or its folder to the mount's requestFolders`,
    )
  }
  const ready = await readyToPlay({ path }, rules.params)
  return ready.ok ? ready : refused(`${path}: ${ready.reason}`)
}

/**
 * Checks a request (see `checkRequest`) and queues it after the others; refused when the same file
 * is queued already, or the queue holds `MAX_REQUESTS`.
 *
 * @example
 * const queued = await queueRequest(queue, 'music/a.mp3', Date.now(), rules)
 */
export const queueRequest = async (
  queue: RequestQueue<Ready>,
  given: string,
  now: number,
  rules: RequestRules,
): Promise<Result<QueuedRequest<Ready>>> => {
  if (queue.size >= MAX_REQUESTS) return refused(`the queue is full (${MAX_REQUESTS} requests): remove some first`)
  const checked = await checkRequest(given, rules)
  if (!checked.ok) return checked
  const ready = checked.value
  const path = ready.file.path
  const queued = queue.entries.find((entry) => entry.path === path)
  if (queued) return refused(`${path} is already queued (request ${queued.id})`)
  const title = displayTitle(ready.tags, titleFromPath(path))
  return done(queue.add({ path, title, queuedAt: now, item: ready }))
}
