/**
 * Captures the `/status-json.xsl` of a real Icecast 2.4 (Debian package icecast2) as test fixtures:
 * with one and with two MP3 mounts fed by a source client that sends what libshout (BUTT, ezstream,
 * darkice) sends (test/fixtures/icecast-status-{one,two}-mounts.json), and with an Ogg Opus and an
 * Ogg Vorbis mount fed by ffmpeg, titles in their comment headers
 * (test/fixtures/icecast-status-ogg-mounts.json).
 * Run as root (Icecast drops privileges to nobody): `bun scripts/capture-icecast-status.ts [mp3|ogg]`.
 */
import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ffmpegPath } from './ffmpeg-path.ts'

const PORT = 18_765
const PASSWORD = `capture-${process.pid}`
const out = fileURLToPath(new URL('../test/fixtures/', import.meta.url))
const demo = fileURLToPath(new URL('../assets/demo/01 - Sunrise Arpeggio.mp3', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'icecast-capture-'))
mkdirSync(join(dir, 'log'))
chmodSync(dir, 0o777)
chmodSync(join(dir, 'log'), 0o777)
writeFileSync(
  join(dir, 'icecast.xml'),
  `<icecast>
  <location>Earth</location><admin>icemaster@localhost</admin><hostname>localhost</hostname>
  <limits><clients>100</clients><sources>4</sources><burst-size>65535</burst-size></limits>
  <authentication><source-password>${PASSWORD}</source-password><admin-user>admin</admin-user><admin-password>${PASSWORD}</admin-password></authentication>
  <listen-socket><port>${PORT}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <paths><basedir>/usr/share/icecast2</basedir><logdir>${dir}/log</logdir><webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>2</loglevel></logging>
  <security><chroot>0</chroot><changeowner><user>nobody</user><group>nogroup</group></changeowner></security>
</icecast>
`,
)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const icecast = spawn('icecast2', ['-c', join(dir, 'icecast.xml')], { stdio: 'inherit' })
const sources: { stop: () => void }[] = []
/** A source client speaking Icecast's PUT with every ice-* header, sending the demo MP3 at about real time. */
const feed = (mount: string, name: string) => {
  const audio = readFileSync(demo)
  const socket = connect(PORT, '127.0.0.1', () => {
    socket.write(
      [
        `PUT ${mount} HTTP/1.1`,
        `Host: 127.0.0.1:${PORT}`,
        `Authorization: Basic ${btoa(`source:${PASSWORD}`)}`,
        'Content-Type: audio/mpeg',
        `ice-name: ${name}`,
        `ice-description: ${name} description`,
        'ice-genre: Test',
        'ice-url: https://example.org/',
        'ice-public: 0',
        'ice-bitrate: 128',
        'ice-audio-info: bitrate=128;samplerate=44100;channels=2',
        '',
        '',
      ].join('\r\n'),
    )
  })
  let offset = 0
  const timer = setInterval(() => {
    socket.write(audio.subarray(offset, offset + 4000))
    offset = (offset + 4000) % audio.length
  }, 250)
  socket.on('error', () => {})
  sources.push({ stop: () => (clearInterval(timer), socket.destroy()) })
}
const setTitle = (mount: string, song: string) =>
  fetch(`http://127.0.0.1:${PORT}/admin/metadata?mount=${mount}&mode=updinfo&song=${encodeURIComponent(song)}`, {
    headers: { Authorization: `Basic ${btoa(`admin:${PASSWORD}`)}` },
  })
const status = async () => (await fetch(`http://127.0.0.1:${PORT}/status-json.xsl`)).text()
/** ffmpeg sending a tone as Ogg (`libopus` or `libvorbis`) to `mount`, titled in its comment header, in real time. */
const feedOgg = (mount: string, codec: 'libopus' | 'libvorbis', title: string) => {
  const ffmpeg = spawn(ffmpegPath(), [
    ...['-v', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-ac', '2'],
    ...['-c:a', codec, '-b:a', '96k', '-metadata', 'artist=Ogg Artist', '-metadata', `title=${title}`],
    ...['-content_type', 'audio/ogg', '-ice_name', `${title} Mount`, '-ice_description', `${title} description`],
    ...['-ice_genre', 'Test', '-ice_url', 'https://example.org/', '-ice_public', '0', '-f', 'ogg'],
    `icecast://source:${PASSWORD}@127.0.0.1:${PORT}${mount}`,
  ], { stdio: 'inherit' })
  sources.push({ stop: () => ffmpeg.kill() })
}
const what = process.argv[2] ?? 'all'
/** One MP3 mount with a listener, then two. */
const captureMp3 = async () => {
  feed('/one', 'First Mount')
  await sleep(2000)
  await setTitle('/one', 'Some Artist - Some Title')
  await sleep(1500)
  const listener = await fetch(`http://127.0.0.1:${PORT}/one`)
  await sleep(500)
  writeFileSync(`${out}icecast-status-one-mount.json`, await status())
  feed('/two', 'Second Mount')
  await sleep(2000)
  await setTitle('/two', 'Other Artist - Other Title')
  await sleep(1500)
  writeFileSync(`${out}icecast-status-two-mounts.json`, await status())
  await listener.body?.cancel()
}
/** An Opus mount with a listener and a Vorbis mount. */
const captureOgg = async () => {
  feedOgg('/opus', 'libopus', 'Opus Title')
  feedOgg('/vorbis', 'libvorbis', 'Vorbis Title')
  await sleep(4000)
  const listener = await fetch(`http://127.0.0.1:${PORT}/opus`)
  await sleep(1000)
  writeFileSync(`${out}icecast-status-ogg-mounts.json`, await status())
  await listener.body?.cancel()
}
try {
  await sleep(1500)
  if (what !== 'ogg') await captureMp3()
  if (what !== 'mp3') await captureOgg()
  console.log(`captured into ${out}`)
} finally {
  for (const source of sources) source.stop()
  icecast.kill()
}
