import type { FileFailure } from './record-file.ts'

const codeOf = (error: unknown): string | undefined => {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown }
  return typeof code === 'string' ? code : typeof name === 'string' ? name : undefined
}

const messageOf = (error: unknown): string => error instanceof Error ? error.message : String(error)

/**
 * What an operator needs to know of a failed recording file: what failed, where, why, and what to do.
 *
 * @example
 * diskProblem({ action: 'create', path: '/rec/x.mp3', error }) // 'cannot create /rec/x.mp3: permission denied …'
 */
export const diskProblem = ({ action, path, error }: FileFailure): string => {
  const what = `cannot ${action} ${path}`
  const code = codeOf(error)
  const message = messageOf(error)
  if (code === 'NotCapable' || code === 'PermissionDenied' || /--allow-write/.test(message)) {
    return `${what}: recording needs Deno's --allow-write permission (run deno with --allow-write, or --allow-write=<the recordings folder>)`
  }
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `${what}: permission denied; let the user airwave runs as write there, or change the mount's record.path`
    case 'ENOSPC':
    case 'EDQUOT':
      return `${what}: the disk is full (or the quota reached); free space there, or set record.keepDays or record.maxTotalMB`
    case 'EROFS':
      return `${what}: the file system is read-only; change the mount's record.path`
    case 'ENOTDIR':
    case 'EEXIST':
      return `${what}: a file is in the way of a folder of record.path; move it, or change record.path`
    case 'ENOENT':
      return `${what}: a folder of it does not exist and could not be made; check record.path`
    default:
      return `${what}: ${message}`
  }
}
