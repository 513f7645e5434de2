import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** A fresh temporary folder, with helpers to lay out files in it; `remove()` deletes it. */
export const tempDir = (prefix = 'airwave-test-') => {
  const root = mkdtempSync(join(tmpdir(), prefix))
  const path = (...parts: string[]) => join(root, ...parts)
  const ensure = (file: string) => mkdirSync(dirname(file), { recursive: true })
  return {
    root,
    path,
    /** Copies `source` to `relative` inside the folder. */
    copy: (source: string, relative: string) => {
      ensure(path(relative))
      copyFileSync(source, path(relative))
      return path(relative)
    },
    write: (relative: string, content: string | Uint8Array) => {
      ensure(path(relative))
      writeFileSync(path(relative), content)
      return path(relative)
    },
    link: (target: string, relative: string) => {
      ensure(path(relative))
      symlinkSync(target, path(relative))
      return path(relative)
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  }
}
