import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { frameCount } from '../../src/audio/audio.js'
import { decodeAudio } from '../../src/audio/decode.js'
import { DEV_AUDIO } from '../helpers/cli.js'
import { form, startServer, waitForJob } from '../helpers/server.js'

const LONG_MIX = join(DEV_AUDIO, 'full', 'electronic-thebeastofinsanity.ogg')
const SHORT_MIX = join(DEV_AUDIO, 'electronic', 'electronic-01-brainsukker.ogg')
const REFERENCE = join(DEV_AUDIO, 'electronic', 'electronic-02-chaosfog.ogg')

async function submit(url: string, mix: string): Promise<string> {
  const response = await fetch(`${url}/api/jobs`, { method: 'POST', body: form([['mix', mix], ['reference', REFERENCE]], [['format', 'flac24']]) })
  expect(response.status).toBe(202)
  return (await response.json()).id
}

async function expectMasterOf(url: string, id: string, mixPath: string): Promise<void> {
  const job = await waitForJob(url, id, undefined, 300_000)
  expect(job.state).toBe('done')
  expect(job.versions).toHaveLength(1)
  const master = await decodeAudio(new Uint8Array(await (await fetch(`${url}${job.downloads.flac24}`)).arrayBuffer()))
  expect(frameCount(master)).toBe(frameCount(await decodeAudio(readFileSync(mixPath))))
}

describe('durability', () => {
  it('finishes the running and the queued job after the process is killed (SIGKILL) and started again', async () => {
    const first = await startServer({ WORKER_CONCURRENCY: '1' })
    const running = await submit(first.url, LONG_MIX)
    const queued = await submit(first.url, SHORT_MIX)
    await waitForJob(first.url, running, (job) => job.state === 'running' && job.progress > 0.1)
    await first.kill()

    const second = await startServer({ WORKER_CONCURRENCY: '1' }, first.dataDir)
    try {
      await expectMasterOf(second.url, running, LONG_MIX)
      await expectMasterOf(second.url, queued, SHORT_MIX)
      for (const id of [running, queued]) expect(readdirSync(join(second.dataDir, 'jobs', id)).filter((name) => name.startsWith('v')).sort()).toEqual(['v1'])
      expect(readdirSync(join(second.dataDir, 'uploads'))).toEqual([])
    } finally {
      expect(await second.stop()).toBe(0)
    }
  })

  it('stops on SIGTERM within the grace time and resumes the interrupted job at the next start', async () => {
    const first = await startServer({ WORKER_CONCURRENCY: '1', SHUTDOWN_GRACE_SECONDS: '0.2' })
    const id = await submit(first.url, LONG_MIX)
    await waitForJob(first.url, id, (job) => job.state === 'running' && job.progress > 0.05)
    expect(await first.stop()).toBe(0)
    expect(first.output()).toContain('SIGTERM')

    const second = await startServer({ WORKER_CONCURRENCY: '1' }, first.dataDir)
    try {
      await expectMasterOf(second.url, id, LONG_MIX)
    } finally {
      expect(await second.stop()).toBe(0)
    }
  })
})
