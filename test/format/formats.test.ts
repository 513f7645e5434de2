import { describe, expect, test } from 'bun:test'
import { AUDIO_EXTENSIONS, contentTypeOf, formatFromMime, FORMATS } from '../../src/format/formats.ts'
import { AUDIO_FORMATS } from '../../src/format/params.ts'

describe('the formats', () => {
  test('every format has its spec, named as itself', () => {
    expect(Object.keys(FORMATS)).toEqual([...AUDIO_FORMATS])
    for (const name of AUDIO_FORMATS) expect(FORMATS[name].name).toBe(name)
  })

  test('the Content-Types sources and upstreams send map to a format; others to none', () => {
    expect(['audio/mpeg', 'Audio/MPEG; charset=x', 'audio/mp3', 'audio/mpeg3'].map(formatFromMime)).toEqual([
      'mp3',
      'mp3',
      'mp3',
      'mp3',
    ])
    expect(['audio/aac', 'audio/aacp', 'audio/x-aac'].map(formatFromMime)).toEqual(['aac', 'aac', 'aac'])
    expect(['audio/ogg', 'application/ogg', 'audio/opus', 'Audio/Ogg; codecs=opus'].map(formatFromMime)).toEqual([
      'ogg',
      'ogg',
      'ogg',
      'ogg',
    ])
    expect(['video/mp4', 'application/octet-stream', ''].map(formatFromMime)).toEqual([undefined, undefined, undefined])
  })

  test('listeners get each format as its own Content-Type; folders are scanned for every format’s extensions', () => {
    expect(AUDIO_FORMATS.map(contentTypeOf)).toEqual(['audio/mpeg', 'audio/aac', 'audio/ogg', 'audio/ogg', 'audio/ogg'])
    expect(AUDIO_EXTENSIONS).toEqual(['.mp3', '.aac', '.adts', '.opus', '.ogg', '.oga', '.flac'])
  })
})
