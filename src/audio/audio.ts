import { RefmasterError } from '../errors.js'

/**
 * Audio as refmaster passes it around: planar channels of 32-bit float samples (nominal full scale
 * +-1.0) and the sample rate. Mono has one channel, stereo two (left, right); more is refused.
 */
export interface Audio {
  readonly channels: Float32Array[]
  readonly sampleRateHz: number
}

/** The most channels refmaster handles (DESIGN.md: more than two is a clear error for now). */
export const MAX_CHANNELS = 2

/** Number of sample frames (samples per channel). */
export function frameCount(audio: Audio): number {
  return audio.channels.length === 0 ? 0 : audio.channels[0].length
}

/** Duration in seconds. */
export function durationSeconds(audio: Audio): number {
  return frameCount(audio) / audio.sampleRateHz
}

/** Throws TOO_MANY_CHANNELS / EMPTY_FILE / INVALID_PARAMETER when `audio` is not something we process. */
export function assertProcessable(audio: Audio, what = 'audio'): void {
  const channelCount = audio.channels.length
  if (channelCount > MAX_CHANNELS) {
    throw new RefmasterError('TOO_MANY_CHANNELS', `${what} has ${channelCount} channels; refmaster handles mono or stereo (at most ${MAX_CHANNELS})`)
  }
  if (channelCount === 0 || frameCount(audio) === 0) {
    throw new RefmasterError('EMPTY_FILE', `${what} holds no audio samples`)
  }
  if (!(audio.sampleRateHz >= 8000 && audio.sampleRateHz <= 384000)) {
    throw new RefmasterError('INVALID_PARAMETER', `${what} sample rate must be within [8000, 384000] Hz, got ${audio.sampleRateHz}`)
  }
  const frames = frameCount(audio)
  for (const channel of audio.channels) {
    if (channel.length !== frames) throw new RefmasterError('CORRUPT_FILE', `${what} has channels of different lengths`)
  }
}
