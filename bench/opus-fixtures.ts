/**
 * Makes (or finds, cached) the Ogg Opus playlist of `bench/run.ts --format opus`: the demo playlist
 * transcoded to 96 kbit/s CBR Opus in a folder under the system's temporary folder, and prints it.
 *
 *   bun bench/opus-fixtures.ts            # then e.g. bun src/main.ts -p 8123 <the files it lists>
 *   bun bench/opus-fixtures.ts --json
 */
import process from 'node:process'
import { opusPlaylist } from './servers/opus.ts'

const playlist = opusPlaylist()
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(playlist, null, 2)}\n`)
else {
  process.stdout.write(
    `${
      playlist.files.join('\n')
    }\n${playlist.encoderKbps} kbit/s CBR Opus; ${playlist.streamKbps} kbit/s with Ogg framing, ` +
      `${playlist.pageSeconds} s per page, ${playlist.seconds} s in all; Icecast's source list: ${playlist.concatList}\n`,
  )
}
