/**
 * Makes the built-in demo playlist (assets/demo/): short tracks synthesized by ffmpeg from
 * formulas, so the project ships no recorded or copyrighted audio. Run: `bun scripts/make-demo.ts`.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ffmpegPath } from './ffmpeg-path.ts'

const out = fileURLToPath(new URL('../assets/demo/', import.meta.url))
mkdirSync(out, { recursive: true })

const SECONDS = 20
const ARPEGGIO = [0, 4, 7, 12, 16, 12, 7, 4]
const pick = (values: number[], index: string): string =>
  values.reduceRight(
    (rest, value, i) => (i === values.length - 1 ? String(value) : `if(eq(${index},${i}),${value},${rest})`),
    '',
  )
const tracks = [
  {
    file: '01 - Sunrise Arpeggio.mp3',
    title: 'Sunrise Arpeggio',
    // A major arpeggio, a plucked note every 250 ms.
    expr: `0.5*sin(2*PI*220*pow(2,${pick(ARPEGGIO, 'floor(mod(t*4,8))')}/12)*t)*exp(-6*mod(t,0.25))`,
  },
  {
    file: '02 - Slow Chord.mp3',
    title: 'Slow Chord',
    // A fifth and an octave, with a slow swell.
    expr: `(0.25*sin(2*PI*220*t)+0.2*sin(2*PI*330*t)+0.15*sin(2*PI*440*t))*(0.6+0.4*sin(2*PI*0.25*t))`,
  },
  {
    file: '03 - Bell Tower.mp3',
    title: 'Bell Tower',
    // Inharmonic bell partials struck every 2 s, alternating pitch.
    expr:
      `st(1,if(lt(mod(t,4),2),1,0.75));(0.3*sin(2*PI*440*ld(1)*t)+0.2*sin(2*PI*1108*ld(1)*t)+0.1*sin(2*PI*1760*ld(1)*t))*exp(-2*mod(t,2))`,
  },
]

for (const track of tracks) {
  execFileSync(ffmpegPath(), [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `aevalsrc='${track.expr}':s=44100:d=${SECONDS}`,
    '-ac',
    '2',
    '-ar',
    '44100',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '128k',
    '-metadata',
    `title=${track.title}`,
    '-metadata',
    'artist=airwave',
    '-metadata',
    'album=airwave demo',
    '-id3v2_version',
    '3',
    `${out}${track.file}`,
  ])
  console.log(`made ${out}${track.file}`)
}
