import { lstat, readdir, rmdir, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { FilePattern } from './file-pattern.ts'

/** A recording on disk. */
export interface RecordingFile {
  readonly path: string
  readonly bytes: number
  /** Last written, ms since the epoch. */
  readonly mtimeMs: number
}

/** What to keep: files younger than `maxAgeMs`, and at most `maxBytes` in all (the newest). */
export interface RetentionPolicy {
  maxAgeMs?: number
  maxBytes?: number
}

const entries = async (folder: string) => {
  try {
    return await readdir(folder, { withFileTypes: true })
  } catch {
    return []
  }
}

/**
 * The files a pattern made (regular files whose every folder level and name match it), oldest first;
 * nothing else under its root is ever listed.
 *
 * @example
 * await recordingsOf(filePattern('rec/%Y-%m-%d/%H%M%S-{mount}', '/stream', baseDir))
 */
export const recordingsOf = async (pattern: FilePattern): Promise<RecordingFile[]> => {
  const found: RecordingFile[] = []
  const walk = async (folder: string, level: number): Promise<void> => {
    const last = level === pattern.levels.length - 1
    for (const entry of await entries(folder)) {
      if (!pattern.levels[level]!.test(entry.name)) continue
      const path = join(folder, entry.name)
      if (!last && entry.isDirectory()) await walk(path, level + 1)
      if (!last || !entry.isFile()) continue
      const stat = await lstat(path).catch(() => undefined)
      if (stat?.isFile()) found.push({ path, bytes: stat.size, mtimeMs: stat.mtimeMs })
    }
  }
  await walk(pattern.root, 0)
  return found.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : 1))
}

/**
 * Which of `files` (oldest first) to delete at `now`: those older than the policy's age, then the
 * oldest until the rest fit its size; never one in `keep` (files being written).
 *
 * @example
 * toPrune(files, { maxBytes: 500e6 }, Date.now(), new Set([current])) // the oldest beyond 500 MB
 */
export const toPrune = (
  files: readonly RecordingFile[],
  policy: RetentionPolicy,
  now: number,
  keep: ReadonlySet<string> = new Set(),
): RecordingFile[] => {
  const candidates = files.filter((file) => !keep.has(file.path))
  const doomed = new Set(
    policy.maxAgeMs === undefined ? [] : candidates.filter((file) => now - file.mtimeMs > policy.maxAgeMs!),
  )
  if (policy.maxBytes !== undefined) {
    let total = files.reduce((sum, file) => sum + (doomed.has(file) ? 0 : file.bytes), 0)
    for (const file of candidates) {
      if (total <= policy.maxBytes) break
      if (doomed.has(file)) continue
      doomed.add(file)
      total -= file.bytes
    }
  }
  return candidates.filter((file) => doomed.has(file))
}

/**
 * Deletes what `toPrune` picks among the pattern's files, then the folders of the pattern left
 * empty; resolves with what was deleted (a file that cannot be deleted is skipped, and reported).
 *
 * @example
 * const { deleted, failed } = await prune(pattern, { maxAgeMs: 30 * 86_400_000 }, Date.now(), new Set())
 */
export const prune = async (
  pattern: FilePattern,
  policy: RetentionPolicy,
  now: number,
  keep: ReadonlySet<string>,
): Promise<{ deleted: RecordingFile[]; failed: { path: string; error: unknown }[] }> => {
  const deleted: RecordingFile[] = []
  const failed: { path: string; error: unknown }[] = []
  for (const file of toPrune(await recordingsOf(pattern), policy, now, keep)) {
    try {
      await unlink(file.path)
      deleted.push(file)
    } catch (error) {
      failed.push({ path: file.path, error })
    }
  }
  const folders = new Set(deleted.map((file) => dirname(file.path)))
  for (const folder of folders) await removeEmpty(folder, pattern.root)
  return { deleted, failed }
}

/** Removes `folder` and its parents up to (not including) `root` while they are empty. */
const removeEmpty = async (folder: string, root: string): Promise<void> => {
  for (let dir = folder; dir.length > root.length && dir.startsWith(root); dir = dirname(dir)) {
    try {
      await rmdir(dir)
    } catch {
      return
    }
  }
}
