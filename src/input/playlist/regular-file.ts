import { constants } from 'node:fs'
import type { Stats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import type { Result } from '../../util/result.ts'
import { done, refused } from '../../util/result.ts'

/** What `stat` (or a folder listing) can say a path is. */
interface KindOf {
  isFile(): boolean
  isDirectory(): boolean
  isFIFO(): boolean
  isSocket(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
}

/**
 * Why a path that is not a regular file is never opened, or undefined for a regular file.
 *
 * @example
 * notRegularFile(await stat('/music/pipe.mp3')) // 'is a FIFO (named pipe), not a regular file'
 */
export const notRegularFile = (kind: KindOf): string | undefined => {
  if (kind.isFile()) return undefined
  if (kind.isDirectory()) return 'is a directory'
  if (kind.isFIFO()) return 'is a FIFO (named pipe), not a regular file'
  if (kind.isSocket()) return 'is a socket, not a regular file'
  if (kind.isCharacterDevice() || kind.isBlockDevice()) return 'is a device, not a regular file'
  return 'not a regular file'
}

/**
 * Why a file system call failed, in words an operator can act on.
 *
 * @example
 * fileError({ code: 'ENOENT' }) // 'file not found'
 */
export const fileError = (error: unknown): string => {
  const code = (error as { code?: string }).code
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'file not found'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied (let the user airwave runs as read it)'
  if (code === 'EISDIR') return 'is a directory'
  if (code === 'ELOOP') return 'a symbolic link loop'
  return error instanceof Error ? error.message : String(error)
}

/**
 * Stats a path without opening it: done with its stats when it is a regular file, else refused
 * with why (missing, a directory, a FIFO, a socket, a device).
 *
 * @example
 * const checked = await checkRegularFile('/music/a.mp3')
 * if (!checked.ok) log.warn(`skipping: ${checked.reason}`)
 */
export const checkRegularFile = async (path: string): Promise<Result<Stats>> => {
  try {
    const stats = await stat(path)
    const reason = notRegularFile(stats)
    return reason ? refused(reason) : done(stats)
  } catch (error) {
    return refused(fileError(error))
  }
}

/**
 * A file that was not opened, with the same reason a probe gives (it is missing, or no longer a
 * regular file), so that a file refused at play time is told the way it is told at probing.
 *
 * @example
 * if (!opened.ok) throw new FileRefusedError(opened.reason)
 */
export class FileRefusedError extends Error {
  override name = 'FileRefusedError'
}

/** Read-only, and never waiting for a writer should the path have become a FIFO since it was checked. */
const READ_NONBLOCKING = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)

/**
 * Opens a regular file for reading, and nothing else. The path is first checked with `stat` (a
 * FIFO, socket, device or directory is refused without being opened); the open itself is
 * non-blocking (`O_NONBLOCK`, where the system has it), and the opened handle is checked again, so
 * a path swapped for a FIFO in between is refused too, never waited on.
 *
 * @example
 * const opened = await openRegularFile('/music/a.mp3')
 * if (opened.ok) try { await opened.value.handle.read(buffer, 0, 10, 0) } finally { await opened.value.handle.close() }
 */
export const openRegularFile = async (path: string): Promise<Result<{ handle: FileHandle; size: number }>> => {
  const checked = await checkRegularFile(path)
  if (!checked.ok) return checked
  let handle: FileHandle
  try {
    handle = await open(path, READ_NONBLOCKING)
  } catch (error) {
    return refused(fileError(error))
  }
  try {
    const stats = await handle.stat()
    const reason = notRegularFile(stats)
    if (!reason) return done({ handle, size: stats.size })
    await handle.close()
    return refused(reason)
  } catch (error) {
    await handle.close()
    return refused(fileError(error))
  }
}
