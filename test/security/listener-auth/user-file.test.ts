import { afterAll, describe, expect, test } from 'bun:test'
import { utimesSync, writeFileSync } from 'node:fs'
import bcrypt from 'bcryptjs'
import { parseUserFile, UserFile } from '../../../src/security/listener-auth/user-file.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

const dir = tempDir()
afterAll(() => dir.remove())

describe('htpasswd user files', () => {
  test('bcrypt, Apache MD5 and SHA-1 lines are read; comments, blanks and unusable lines are passed over and named', () => {
    const parsed = parseUserFile(
      '# listeners\n\nbob:$2y$05$abc\namy:$apr1$x$y\nsam:{SHA}abc=\nold:abJnggxhB/yWI\nbroken\n',
    )
    expect([...parsed.users.keys()]).toEqual(['bob', 'amy', 'sam'])
    expect(parsed.problems).toEqual([
      "line 6 (old): a password hash airwave cannot check; make it with htpasswd -B (bcrypt), -m (MD5) or -s (SHA-1), or use Icecast's file as it is",
      'line 7: not "user:hash"',
    ])
  })

  test('checks passwords, and reads the file again when it changes', async () => {
    const path = dir.write('users', `bob:${bcrypt.hashSync('secret', 4)}\n`)
    const users = await UserFile.open(path)
    expect(await users.check({ user: 'bob', password: 'secret' })).toBe(true)
    expect(await users.check({ user: 'bob', password: 'Secret' })).toBe(false)
    expect(await users.check({ user: 'eve', password: 'secret' })).toBe(false)
    expect(await users.check(undefined)).toBe(false)
    writeFileSync(path, 'amy:{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=\n')
    const later = new Date(Date.now() + 5000)
    utimesSync(path, later, later)
    await Bun.sleep(2100)
    expect(await users.check({ user: 'amy', password: 'pw' })).toBe(true)
    expect(await users.check({ user: 'bob', password: 'secret' })).toBe(false)
  })

  test("Icecast 2.4's own user file (the password's MD5 in hex) is read as it is", async () => {
    const users = await UserFile.open(dir.write('icecast-users', 'fred:5f4dcc3b5aa765d61d8327deb882cf99\n'))
    expect(await users.check({ user: 'fred', password: 'password' })).toBe(true)
    expect(await users.check({ user: 'fred', password: 'Password' })).toBe(false)
  })

  test('a missing file says how to make one', async () => {
    await expect(UserFile.open(dir.path('none'))).rejects.toThrow(/does not exist: make it with "htpasswd -cB/)
  })
})
