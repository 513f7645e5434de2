/** The parts of icecast-metadata-js (which ships no types) the tests use. */
declare module 'icecast-metadata-js' {
  export interface IcyStats {
    totalBytesRead: number
    streamBytesRead: number
  }
  export interface ReaderOptions {
    icyMetaInt?: number
    metadataTypes?: ('icy' | 'ogg')[]
    icyDetectionTimeout?: number
    icyCharacterEncoding?: string
    onStream?: (value: { stream: Uint8Array; stats: IcyStats }) => void
    onMetadata?: (value: { metadata: Record<string, string>; stats: IcyStats }) => void
    onError?: (message: string) => void
  }
  export class IcecastMetadataReader {
    constructor(options: ReaderOptions)
    readAll(data: Uint8Array): void
    static parseIcyMetadata(text: string): Record<string, string>
  }
}
