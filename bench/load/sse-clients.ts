/**
 * Holds N idle event-stream clients open, as N visitors of a station's page would (each page holds
 * one `/api/events`): `sse-clients.ts <count> <url>`. Prints `ready <n>` once all are connected and
 * have their first event, then reads (and discards) until killed.
 */
import { connect } from 'node:net'
import process from 'node:process'

const [countText, url] = process.argv.slice(2)
const count = Number(countText)
if (!Number.isInteger(count) || count <= 0 || !url) {
  process.stderr.write('usage: sse-clients.ts <count> <url of /api/events>\n')
  process.exit(2)
}
const target = new URL(url)
let ready = 0
let failed = 0
const open = () =>
  new Promise<void>((resolve) => {
    const socket = connect({ host: target.hostname, port: Number(target.port) }, () =>
      socket.write(`GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nAccept: text/event-stream\r\n\r\n`))
    let seen = false
    socket.on('data', (data) => {
      if (!seen && data.includes('event: ')) {
        seen = true
        ready++
        resolve()
      }
    })
    socket.on('error', () => {
      if (!seen) {
        failed++
      }
      resolve()
    })
    socket.on('close', () =>
      resolve())
  })
const AT_ONCE = 200
for (let i = 0; i < count; i += AT_ONCE) {
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, count - i) }, open))
}
process.stdout.write(`ready ${ready} failed ${failed}\n`)
setInterval(() => {}, 1 << 30)
