import { createRequire } from 'node:module'

/** The ffmpeg binary shipped by @ffmpeg-installer/ffmpeg (a devDependency), or `ffmpeg` on the PATH. */
export const ffmpegPath = (): string => {
  try {
    return (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path
  } catch {
    return 'ffmpeg'
  }
}
