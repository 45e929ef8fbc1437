/**
 * Training runs through real HTTP (issue 6 "Training runs"): a real, small training run on the built-in
 * library's ambient tracks, its progress and held-out metrics, the activation gate, a job mastered with
 * the new model, cancelling, bad requests, and a run taken up again after the server was killed.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ANALYTIC_ID, initialActiveSource } from '../../src/service/settings-source.js'
import { DEV_AUDIO } from '../helpers/cli.js'
import { form, startServer, waitForJob } from '../helpers/server.js'

/** A small run: one genre, few examples and epochs (about half a minute on 2 cores). */
const SMALL_RUN = { genres: ['ambient'], epochs: 4, drawsPerTrack: 1, heldOutDraws: 1, segmentSeconds: 4 }
const METRICS = ['d_lufs', 'tbe_db', 'd_side_mid_db', 'd_plr_db', 'd_lra', 'mrstft']

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

async function startRun(base: string, body: object): Promise<string> {
  const response = await post(`${base}/api/models`, body)
  expect(response.status).toBe(202)
  return (await response.json()).id
}

/** Polls a model until `done(model)` holds; returns it and every stage seen on the way. */
async function waitForModel(base: string, id: string, done: (model: any) => boolean, timeoutMs = 240_000): Promise<{ model: any; stages: string[] }> {
  const deadline = Date.now() + timeoutMs
  const stages: string[] = []
  for (;;) {
    const model = await (await fetch(`${base}/api/models/${id}`)).json()
    if (stages[stages.length - 1] !== model.stage) stages.push(model.stage)
    if (done(model)) return { model, stages }
    if (Date.now() > deadline) throw new Error(`model ${id} still ${model.state} (${model.stage}) after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const finished = (model: any) => ['done', 'failed', 'cancelled'].includes(model.state)

describe('training runs over HTTP', () => {
  it('trains, reports progress and held-out metrics, gates activation, and masters new jobs with the active model', async () => {
    const server = await startServer()
    try {
      // The initial active source: the shipped model if its card met issue 5's targets, else the analytic path.
      const initial = initialActiveSource()
      expect((await (await fetch(`${server.url}/api/models`)).json()).active).toBe(initial)
      const id = await startRun(server.url, { name: 'ambient test', ...SMALL_RUN })
      // One run at a time.
      const second = await post(`${server.url}/api/models`, SMALL_RUN)
      expect(second.status).toBe(409)
      expect((await second.json()).error.message).toContain(id)

      const { model, stages } = await waitForModel(server.url, id, finished)
      expect(model.error).toBeNull()
      expect(model.state).toBe('done')
      expect(stages.some((s) => /^making training examples: \d+ of \d+$/.test(s))).toBe(true)
      expect(stages.some((s) => /^training( network \d+ of \d+,)? epoch \d+ of 4$/.test(s))).toBe(true)
      expect(model.request).toMatchObject({ name: 'ambient test', ...SMALL_RUN, baseline: initial })
      expect(model.heldOut.all.examples).toBeGreaterThan(0)
      for (const m of METRICS) {
        expect(Number.isFinite(model.heldOut.all.analytic[m])).toBe(true)
        expect(Number.isFinite(model.heldOut.all.model[m])).toBe(true)
      }
      expect(model.comparison.baseline).toBe(initial)
      // against the shipped model, its masters of the same held-out examples; against the analytic path, the card's analytic row
      if (initial === ANALYTIC_ID) expect(model.comparison.previous).toEqual(model.heldOut.all.analytic)
      else for (const m of METRICS) expect(Number.isFinite(model.comparison.previous[m])).toBe(true)
      expect(['model.json', 'weights.bin', 'card.json'].every((f) => existsSync(join(server.dataDir, 'models', id, f)))).toBe(true)
      expect(readdirSync(join(server.dataDir, 'models'))).toEqual([id])

      // The gate: a model worse than the active settings on a gate metric needs force.
      const list = await (await fetch(`${server.url}/api/models`)).json()
      expect(list.active).toBe(initial)
      expect(list.models.map((m: any) => m.id)).toEqual(expect.arrayContaining(['analytic', 'default', id]))
      const activate = await post(`${server.url}/api/models/${id}/activate`, {})
      if (model.comparison.better) {
        expect(activate.status).toBe(200)
      } else {
        expect(activate.status).toBe(409)
        expect((await activate.json()).error.message).toMatch(new RegExp(`worse than '${initial}' on held-out tracks: .*force`))
        expect((await post(`${server.url}/api/models/${id}/activate`, { force: true })).status).toBe(200)
      }
      expect((await (await fetch(`${server.url}/api/models`)).json()).active).toBe(id)

      // New jobs use the active model, and the report names it.
      const mix = join(DEV_AUDIO, 'ambient', 'ambient-02-aberrations.ogg')
      const reference = join(DEV_AUDIO, 'ambient', 'ambient-03-advancedsimulacra.ogg')
      const response = await fetch(`${server.url}/api/jobs`, { method: 'POST', body: form([['mix', mix], ['reference', reference]]) })
      expect(response.status).toBe(202)
      const job = await waitForJob(server.url, (await response.json()).id)
      expect(job.state).toBe('done')
      expect(job.report.settingsSource).toMatchObject({ source: 'model', model: id })

      // The active model cannot be deleted; once another source is active it can, with its files.
      expect((await fetch(`${server.url}/api/models/${id}`, { method: 'DELETE' })).status).toBe(409)
      expect((await post(`${server.url}/api/models/analytic/activate`, {})).status).toBe(200)
      expect((await fetch(`${server.url}/api/models/${id}`, { method: 'DELETE' })).status).toBe(204)
      expect(existsSync(join(server.dataDir, 'models', id))).toBe(false)
      expect((await fetch(`${server.url}/api/models/${id}`)).status).toBe(404)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })

  it('refuses bad training requests and unknown models with a message that names the problem', async () => {
    const server = await startServer()
    try {
      const cases: Array<[object, number, RegExp]> = [
        [{ epochs: 0 }, 400, /epochs must be an integer within \[1, 2000\], got '0'/],
        [{ segmentSeconds: 'long' }, 400, /segmentSeconds must be an integer/],
        [{ genres: ['polka'] }, 400, /no genre 'polka' in the reference library; genres: .*ambient/],
      ]
      for (const [body, status, message] of cases) {
        const response = await post(`${server.url}/api/models`, body)
        expect(response.status).toBe(status)
        expect((await response.json()).error.message).toMatch(message)
      }
      const malformed = await fetch(`${server.url}/api/models`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"epochs":' })
      expect(malformed.status).toBe(400)
      expect((await post(`${server.url}/api/models/nosuchmodel/activate`, {})).status).toBe(404)
      expect((await fetch(`${server.url}/api/models/default`, { method: 'DELETE' })).status).toBe(409)
      expect((await (await fetch(`${server.url}/api/models`)).json()).models.filter((m: any) => m.kind === 'trained')).toEqual([])
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })

  it('cancels a run, and takes a run up again after the server is killed (SIGKILL) mid-run', async () => {
    const first = await startServer()
    const cancelled = await startRun(first.url, SMALL_RUN)
    await waitForModel(first.url, cancelled, (model) => model.state === 'running' && model.progress > 0)
    const cancel = await fetch(`${first.url}/api/models/${cancelled}`, { method: 'DELETE' })
    expect(cancel.status).toBe(200)
    expect((await cancel.json()).state).toBe('cancelled')

    const id = await startRun(first.url, SMALL_RUN)
    await waitForModel(first.url, id, (model) => model.state === 'running' && model.progress > 0)
    await first.kill()

    const second = await startServer({}, first.dataDir)
    try {
      const { model } = await waitForModel(second.url, id, finished)
      expect(model.error).toBeNull()
      expect(model.state).toBe('done')
      expect((await (await fetch(`${second.url}/api/models/${cancelled}`)).json()).state).toBe('cancelled')
      // One complete model folder: no partial folder of the killed attempt, nothing of the cancelled run.
      expect(readdirSync(join(second.dataDir, 'models'))).toEqual([id])
    } finally {
      expect(await second.stop()).toBe(0)
    }
  })
})
