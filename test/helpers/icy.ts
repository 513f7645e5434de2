import { IcecastMetadataReader } from 'icecast-metadata-js'

/** A stream read back by icecast-metadata-js: its audio bytes, and each metadata block with where it sat. */
export interface IcyReading {
  audio: Buffer
  blocks: { title: string | undefined; url: string | undefined; audioOffset: number }[]
  errors: string[]
}

/** Splits an ICY stream with icecast-metadata-js, the third-party parser web players use. */
export const readIcy = (data: Uint8Array, metaint: number): IcyReading => {
  const audio: Uint8Array[] = []
  const blocks: IcyReading['blocks'] = []
  const errors: string[] = []
  const reader = new IcecastMetadataReader({
    icyMetaInt: metaint,
    metadataTypes: ['icy'],
    onStream: ({ stream }) => void audio.push(stream.slice()),
    onMetadata: ({ metadata, stats }) =>
      void blocks.push({ title: metadata.StreamTitle, url: metadata.StreamUrl, audioOffset: stats.streamBytesRead }),
    onError: (message) => void errors.push(message),
  })
  reader.readAll(data)
  return { audio: Buffer.concat(audio), blocks, errors }
}

/** Where the raw ICY blocks sit in a stream: audio offset before each, and its length byte. */
export const rawBlocks = (data: Uint8Array, metaint: number) => {
  const out: { audioOffset: number; length: number; text: string }[] = []
  let audio = 0
  for (let i = metaint; i < data.length;) {
    audio += metaint
    const length = data[i]! * 16
    out.push({ audioOffset: audio, length, text: Buffer.from(data.subarray(i + 1, i + 1 + length)).toString('utf8') })
    i += 1 + length + metaint
  }
  return out
}
