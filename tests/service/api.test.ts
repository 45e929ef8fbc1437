import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { frameCount } from '../../src/audio/audio.js'
import { decodeAudio } from '../../src/audio/decode.js'
import { encodeAudio } from '../../src/audio/encode.js'
import { measureLoudness } from '../../src/analysis/loudness/index.js'
import { DEV_AUDIO } from '../helpers/cli.js'
import { form, readEvents, startServer, waitForJob, type ServerProcess } from '../helpers/server.js'
import { stereo } from '../helpers/signals.js'

const MIX = join(DEV_AUDIO, 'pop', 'pop-01-music000.ogg')
const REFERENCE = join(DEV_AUDIO, 'pop', 'pop-02-music001.ogg')
const download = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer())

describe('the job API through real HTTP', () => {
  let server: ServerProcess
  let id: string
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(async () => {
    expect(await server.stop()).toBe(0)
  })

  it('answers /healthz and lists the playback targets', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toMatchObject({ status: 'ok' })
    const { targets } = await (await fetch(`${server.url}/api/targets`)).json()
    expect(targets.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['streaming', 'reference', 'broadcast']))
  })

  it('accepts a mix and a reference with 202 and an unguessable id, and streams progress to the end', async () => {
    const response = await fetch(`${server.url}/api/jobs`, { method: 'POST', body: form([['mix', MIX], ['reference', REFERENCE]], [['format', 'wav24'], ['format', 'flac16']]) })
    expect(response.status).toBe(202)
    ;({ id } = await response.json())
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(response.headers.get('location')).toBe(`/api/jobs/${id}`)

    const events = await readEvents(`${server.url}/api/jobs/${id}/events`)
    const progress = events.filter((e) => e.event === 'progress')
    expect(progress.length).toBeGreaterThan(3)
    expect(progress.map((e) => e.data.stage)).toContain('multiband compression')
    const fractions = progress.map((e) => e.data.progress)
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b))
    const last = events[events.length - 1]
    expect(last.event).toBe('job')
    expect(last.data.state).toBe('done')
  })

  it('reports the job with its report, downloads and versions, and the master keeps the mix length', async () => {
    const job = await (await fetch(`${server.url}/api/jobs/${id}`)).json()
    expect(job).toMatchObject({ id, state: 'done', progress: 1, error: null, version: 1 })
    expect(Object.keys(job.report)).toEqual(['input', 'references', 'target', 'strengths', 'settingsSource', 'settings', 'reasons', 'measurements', 'platforms', 'translation', 'deliveryCheck', 'warnings'])
    expect(Object.keys(job.downloads)).toEqual(['wav24', 'flac16'])
    const mix = await decodeAudio(readFileSync(MIX))
    for (const format of ['wav24', 'flac16']) {
      const master = await decodeAudio(await download(`${server.url}${job.downloads[format]}`))
      expect(frameCount(master)).toBe(frameCount(mix))
      expect(master.sampleRateHz).toBe(mix.sampleRateHz)
      expect(measureLoudness(master).integratedLufs).toBeCloseTo(job.report.measurements.after.integratedLufs, 0)
    }
    const disposition = (await fetch(`${server.url}${job.downloads.wav24}`)).headers.get('content-disposition')
    expect(disposition).toContain('pop-01-music000-master-v1.wav')
  })

  it('serves loudness-matched previews: the louder ones turned down to the quietest, none raised', async () => {
    const job = await (await fetch(`${server.url}/api/jobs/${id}`)).json()
    const previews = job.versions[0].previews
    expect(Object.keys(previews).sort()).toEqual(['master', 'mix', 'reference'])
    const levels: Record<string, number> = {}
    for (const kind of ['mix', 'master', 'reference']) levels[kind] = measureLoudness(await decodeAudio(await download(`${server.url}${previews[kind]}`))).integratedLufs
    const original = { mix: job.report.measurements.before.integratedLufs, master: job.report.measurements.after.integratedLufs, reference: job.report.measurements.reference.integratedLufs }
    for (const kind of ['mix', 'master', 'reference'] as const) expect(levels[kind]).toBeLessThanOrEqual(original[kind] + 0.05)
    expect(Math.max(...Object.values(levels)) - Math.min(...Object.values(levels))).toBeLessThan(0.2)
    const ranged = await fetch(`${server.url}${previews.master}`, { headers: { Range: 'bytes=0-99' } })
    expect(ranged.status).toBe(206)
    expect((await ranged.arrayBuffer()).byteLength).toBe(100)

    const view = await (await fetch(`${server.url}${job.versions[0].view}`)).json()
    expect(view.levelLufs).toBeCloseTo(levels.mix, 0)
    for (const kind of ['mix', 'master', 'reference']) {
      expect(view[kind].peaks).toHaveLength(1200)
      expect(Math.max(...view[kind].peaks)).toBeGreaterThan(0.05)
      expect(Math.max(...view[kind].peaks)).toBeLessThanOrEqual(1)
    }
    expect(view.report.settings.matchingEq.curve.frequenciesHz.length).toBeGreaterThan(10)
  })

  it('re-renders with new strengths as version 2 without analysing again; version 1 stays downloadable', async () => {
    const before = await (await fetch(`${server.url}/api/jobs/${id}`)).json()
    const response = await fetch(`${server.url}/api/jobs/${id}/render`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ eqStrength: 0, widthStrength: 0, dynamicsStrength: 0 }) })
    expect(response.status).toBe(202)
    expect((await response.json()).version).toBe(2)
    const events = await readEvents(`${server.url}/api/jobs/${id}/events`)
    expect(events.map((e) => e.data.stage)).not.toContain('analysing the mix')
    const job = await waitForJob(server.url, id)
    expect(job.state).toBe('done')
    expect(job.versions.map((v: { id: number; state: string }) => [v.id, v.state])).toEqual([[1, 'done'], [2, 'done']])
    expect(job.report.strengths).toEqual({ eq: 0, dynamics: 0, width: 0, intensity: 1 })
    expect(job.downloads.wav24).toContain('/versions/2/')
    const v1 = await download(`${server.url}${before.downloads.wav24}`)
    const v2 = await download(`${server.url}${job.downloads.wav24}`)
    expect(v1.length).toBe(v2.length)
    expect(Buffer.compare(v1, v2)).not.toBe(0)
  })

  it('refuses a re-render with a strength out of range, naming it', async () => {
    const response = await fetch(`${server.url}/api/jobs/${id}/render`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ eqStrength: 2 }) })
    expect(response.status).toBe(400)
    expect((await response.json()).error).toMatchObject({ code: 'INVALID_PARAMETER', message: expect.stringContaining('eqStrength') })
  })

  it('deletes a finished job with its files', async () => {
    expect((await fetch(`${server.url}/api/jobs/${id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await fetch(`${server.url}/api/jobs/${id}`)).status).toBe(404)
    expect(existsSync(join(server.dataDir, 'jobs', id))).toBe(false)
  })

  it('documents every route in /api/openapi.json, and every documented operation exists', async () => {
    const spec = await (await fetch(`${server.url}/api/openapi.json`)).json()
    const { createApp } = await import('../../src/service/app.js')
    const { routesOf } = await import('../../src/service/routes.js')
    const { loadConfig } = await import('../../src/service/config.js')
    const app = createApp({ config: loadConfig({}), paths: {} as never, store: {} as never, queue: {} as never, library: {} as never, runner: {} as never })
    const actual = routesOf(app).filter(({ path }) => path.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(path)).map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`)
    const documented = Object.entries(spec.paths as Record<string, object>).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    expect(actual.sort()).toEqual(documented.sort())
  })
})

describe('bad input', () => {
  let server: ServerProcess
  const dir = mkdtempSync(join(tmpdir(), 'refmaster-bad-'))
  const file = (name: string, bytes: Uint8Array | string) => {
    writeFileSync(join(dir, name), bytes)
    return join(dir, name)
  }
  const post = async (files: Array<[string, string]>, fields: Array<[string, string]> = []) => {
    const response = await fetch(`${server.url}/api/jobs`, { method: 'POST', body: form(files, fields) })
    return { status: response.status, body: await response.json() }
  }
  beforeAll(async () => {
    server = await startServer({ MAX_UPLOAD_MB: '2', MAX_DURATION_MINUTES: '0.5' })
  })
  afterAll(async () => {
    expect(await server.stop()).toBe(0)
  })

  it('answers each problem with its status and a message that names it, and keeps nothing', async () => {
    const tenSeconds = new Float32Array(44100 * 10).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 44100))
    const sine = await encodeAudio(stereo(tenSeconds, 44100), 'wav16')
    const short = file('short.wav', sine)
    const truncated = file('truncated.wav', sine.subarray(0, 100_000))
    const silent = file('silent.wav', await encodeAudio(stereo(new Float32Array(44100 * 5), 44100), 'wav32f'))
    const text = file('notes.wav', 'these are my mixing notes, not audio\n'.repeat(20))
    const garbage = file('garbage.ogg', Uint8Array.from({ length: 50_000 }, (_, i) => (i < 4 ? 'OggS'.charCodeAt(i) : (i * 7919) % 251)))
    const big = file('big.wav', new Uint8Array(3 * 1024 * 1024))
    const sixtySeconds = join(DEV_AUDIO, 'rock', 'rock-01-armygeddon.ogg')

    const cases: Array<[string, Promise<{ status: number; body: any }>, number, string, RegExp]> = [
      ['not audio', post([['mix', text], ['reference', short]]), 415, 'UNSUPPORTED_FORMAT', /notes\.wav/],
      ['truncated', post([['mix', truncated], ['reference', short]]), 422, 'TRUNCATED_FILE', /truncated\.wav/],
      ['corrupt', post([['mix', short], ['reference', garbage]]), 422, 'CORRUPT_FILE', /garbage\.ogg/],
      ['silent mix', post([['mix', silent], ['reference', short]]), 422, 'SILENT_AUDIO', /silent/],
      ['too long', post([['mix', sixtySeconds], ['reference', short]]), 422, 'TOO_LONG', /over the limit of 0\.5 minutes/],
      ['too large', post([['mix', big], ['reference', short]]), 413, 'TOO_LARGE', /2 MB/],
      ['no mix', post([['reference', short]]), 400, 'USAGE', /'mix'/],
      ['unexpected file field', post([['mix', short], ['stems', short]]), 400, 'USAGE', /stems/],
      ['no reference nor target', post([['mix', short]]), 400, 'USAGE', /reference/],
      ['unknown target', post([['mix', short]], [['target', 'moon']]), 400, 'INVALID_PARAMETER', /moon/],
      ['unknown format', post([['mix', short], ['reference', short]], [['format', 'wma']]), 400, 'INVALID_PARAMETER', /wma/],
      ['strength out of range', post([['mix', short], ['reference', short]], [['intensity', '-1']]), 400, 'INVALID_PARAMETER', /intensity/],
      ['bad weight', post([['mix', short], ['reference', short]], [['referenceWeight', '0']]), 400, 'INVALID_PARAMETER', /referenceWeight/],
    ]
    for (const [what, pending, status, code, message] of cases) {
      const { status: actualStatus, body } = await pending
      expect({ what, status: actualStatus, code: body.error?.code }).toEqual({ what, status, code })
      expect(body.error.message).toMatch(message)
      expect(JSON.stringify(body)).not.toMatch(/\n\s+at |\.ts:\d|\.js:\d/)
    }
    expect(readdirSync(join(server.dataDir, 'uploads'))).toEqual([])
    expect(readdirSync(join(server.dataDir, 'jobs'))).toEqual([])
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })

  it('answers unknown jobs and routes with 404, never a path', async () => {
    for (const path of ['/api/jobs/AAAAAAAAAAAAAAAAAAAAAA', '/api/jobs/..%2F..%2Fetc', '/api/jobs/AAAAAAAAAAAAAAAAAAAAAA/versions/1/files/wav24', '/api/nothing']) {
      const response = await fetch(`${server.url}${path}`)
      expect(response.status).toBe(404)
      expect((await response.json()).error.code).toBe('NOT_FOUND')
    }
  })
})

describe('access control and abuse limits', () => {
  it('needs the bearer token for the API but not for /healthz, and rate-limits each client with 429 and Retry-After', async () => {
    const server = await startServer({ REFMASTER_API_TOKEN: 'sesame-1234', RATE_LIMIT_PER_MINUTE: '4' })
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
      const refused = await fetch(`${server.url}/api/targets`)
      expect(refused.status).toBe(401)
      expect(refused.headers.get('www-authenticate')).toBe('Bearer')
      expect((await fetch(`${server.url}/api/targets`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401)
      const auth = { authorization: 'Bearer sesame-1234' }
      const statuses = []
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${server.url}/api/targets`, { headers: auth })).status)
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429])
      const limited = await fetch(`${server.url}/api/targets?access_token=sesame-1234`)
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect((await limited.json()).error.code).toBe('RATE_LIMITED')
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })

  it('caps the queue with 429, cancels queued and running jobs, and stays usable', async () => {
    const server = await startServer({ WORKER_CONCURRENCY: '1', MAX_QUEUED_JOBS: '1' })
    const long = join(DEV_AUDIO, 'full', 'rock-internaldegeneration.ogg')
    const submit = () => fetch(`${server.url}/api/jobs`, { method: 'POST', body: form([['mix', long]], [['target', 'streaming']]) })
    try {
      const first = await (await submit()).json()
      await waitForJob(server.url, first.id, (job) => job.state === 'running')
      const second = await submit()
      expect(second.status).toBe(202)
      const third = await submit()
      expect(third.status).toBe(429)
      expect(third.headers.get('retry-after')).toBe('30')
      expect((await third.json()).error.code).toBe('QUEUE_FULL')

      const { id: secondId } = await second.json()
      const cancelledQueued = await (await fetch(`${server.url}/api/jobs/${secondId}`, { method: 'DELETE' })).json()
      expect(cancelledQueued.state).toBe('cancelled')
      const cancelledRunning = await (await fetch(`${server.url}/api/jobs/${first.id}`, { method: 'DELETE' })).json()
      expect(cancelledRunning.state).toBe('cancelled')
      expect(readdirSync(join(server.dataDir, 'jobs', first.id)).filter((name) => name.startsWith('v'))).toEqual([])
      expect((await (await fetch(`${server.url}/readyz`)).json())).toMatchObject({ queued: 0, running: 0 })
      expect((await submit()).status).toBe(202)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })
})

describe('genres and the reference library through HTTP', () => {
  let server: ServerProcess
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(async () => {
    expect(await server.stop()).toBe(0)
  })

  it('lists the built-in genres and masters a mix toward a weighted blend of two', async () => {
    const { genres } = await (await fetch(`${server.url}/api/genres`)).json()
    expect(genres.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['ambient', 'electronic', 'orchestral', 'pop', 'rock']))
    expect(genres.find((g: { name: string }) => g.name === 'rock').trackCount).toBe(4)
    const rockMix = join(DEV_AUDIO, 'rock', 'rock-02-chaosgod.ogg')
    const response = await fetch(`${server.url}/api/jobs`, { method: 'POST', body: form([['mix', rockMix]], [['genre', 'rock'], ['genreWeight', '3'], ['genre', 'pop'], ['genreWeight', '1']]) })
    expect(response.status).toBe(202)
    const job = await waitForJob(server.url, (await response.json()).id)
    expect(job.state).toBe('done')
    expect(job.genres).toEqual([{ name: 'rock', weight: 3 }, { name: 'pop', weight: 1 }])
    expect(job.report.genres.map((g: { name: string; weight: number }) => [g.name, g.weight])).toEqual([['rock', 0.75], ['pop', 0.25]])
    expect(job.report.target.name).toBe('streaming')
    expect(Math.abs(job.report.measurements.after.integratedLufs + 14)).toBeLessThan(0.3)
    expect(Object.keys(job.versions[0].previews).sort()).toEqual(['master', 'mix'])

    const unknown = await fetch(`${server.url}/api/jobs`, { method: 'POST', body: form([['mix', MIX]], [['genre', 'polka']]) })
    expect(unknown.status).toBe(400)
    expect((await unknown.json()).error).toMatchObject({ code: 'UNKNOWN_GENRE', message: expect.stringContaining('rock') })
  })

  it('files a track under a new genre, lists it, profiles it, and removes it', async () => {
    const added = await fetch(`${server.url}/api/library`, { method: 'POST', body: form([['file', REFERENCE]], [['genre', 'chiptune'], ['artist', 'Someone'], ['licence', 'CC-BY-4.0']]) })
    expect(added.status).toBe(201)
    const track = await added.json()
    expect(track).toMatchObject({ genre: 'chiptune', artist: 'Someone', licence: 'CC-BY-4.0', origin: 'user' })
    expect(JSON.stringify(track)).not.toContain(server.dataDir)
    const { tracks } = await (await fetch(`${server.url}/api/library`)).json()
    expect(tracks.map((t: { id: string }) => t.id)).toContain(track.id)
    const { genres } = await (await fetch(`${server.url}/api/genres`)).json()
    expect(genres.find((g: { name: string }) => g.name === 'chiptune')).toMatchObject({ trackCount: 1 })
    const audio = await fetch(`${server.url}${track.audioUrl}`)
    expect(audio.status).toBe(200)
    expect((await audio.arrayBuffer()).byteLength).toBe(readFileSync(REFERENCE).length)

    const refused = await fetch(`${server.url}/api/library`, { method: 'POST', body: form([['file', REFERENCE]], [['genre', 'Not A Name!']]) })
    expect(refused.status).toBe(400)
    expect((await fetch(`${server.url}/api/library/${track.id}`, { method: 'DELETE' })).status).toBe(200)
    expect((await (await fetch(`${server.url}/api/genres`)).json()).genres.map((g: { name: string }) => g.name)).not.toContain('chiptune')
    expect((await fetch(`${server.url}/api/library/${track.id}`, { method: 'DELETE' })).status).toBe(404)
    expect(readdirSync(join(server.dataDir, 'uploads'))).toEqual([])
  })
})
