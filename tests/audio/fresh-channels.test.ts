import { describe, expect, it } from 'vitest'
import { allShared, freshChannels, movableBuffers, sharedChannels } from '../../src/audio/fresh-channels.js'

describe('freshChannels', () => {
  it('gives zeroed shared arrays that the page-touching worker never changes, whatever it interleaves with', async () => {
    // 2 x 32 MB: large enough for the worker; written at once, while the worker is touching the same pages.
    const frames = 8 * 1024 * 1024
    const channels = freshChannels(2, frames)
    expect(allShared(channels)).toBe(true)
    expect(channels.map((channel) => channel.length)).toEqual([frames, frames])
    channels.forEach((channel, c) => {
      for (let n = 0; n < frames; n++) channel[n] = c + n / frames
    })
    // Long after the worker has touched every page (a few hundred ms), every value is the one written.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    channels.forEach((channel, c) => expect(channel.every((value, n) => value === Math.fround(c + n / frames))).toBe(true))
  })

  it('small arrays are shared too, and shared buffers are never put in a transfer list', () => {
    const [shared] = sharedChannels(1, 16)
    const plain = new Float32Array(16)
    expect(shared.every((value) => value === 0)).toBe(true)
    expect(allShared([shared])).toBe(true)
    expect(allShared([shared, plain])).toBe(false)
    expect(movableBuffers([shared, plain, plain.subarray(4)])).toEqual([plain.buffer])
  })
})
