import type { FormatSpec } from './format-spec.ts'

/** AAC in ADTS: every frame carries its own header, so a listener can start at any frame. */
export const aac: FormatSpec = {
  name: 'aac',
  contentType: 'audio/aac',
  mimeTypes: ['audio/aac', 'audio/aacp', 'audio/x-aac'],
  extensions: ['.aac', '.adts'],
  parserMime: 'audio/aac',
  reject: () => undefined,
  // The ADTS header's 13-bit frame_length, header included.
  frameLength: ({ data }) => ((data[3]! & 0x03) << 11) | (data[4]! << 3) | (data[5]! >> 5),
}
