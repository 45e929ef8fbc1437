import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RefmasterError } from '../../src/errors.js'
import { CARD_JSON, loadModel, networkArtifacts, networkFromArtifacts, saveModel, type ModelCard } from '../../src/model/model-io.js'
import { buildNetwork, ensembleOf, predictRow, trainNetwork } from '../../src/model/network.js'
import { INPUT_SIZE, OUTPUT_SIZE, SCHEMA_FINGERPRINT, STAGE_INPUT_SIZE, STAGE_OUTPUT_COUNT } from '../../src/model/schema.js'
import { loadTf } from '../../src/model/tf.js'

const dirs: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'refmaster-model-'))
  dirs.push(dir)
  return dir
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

const card = (fingerprint = SCHEMA_FINGERPRINT): ModelCard => ({ name: 'test', schemaFingerprint: fingerprint, createdAt: '2026-01-01T00:00:00Z', seed: 1, backend: 'wasm', trainingTracks: [], heldOutTracks: [] })

function rows(count: number, seed: number) {
  let state = seed
  const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648)
  const x = Array.from({ length: count }, () => Float32Array.from({ length: INPUT_SIZE }, next))
  const s = Array.from({ length: count }, () => Float32Array.from({ length: STAGE_INPUT_SIZE }, next))
  const y = x.map((row, i) => Float32Array.from({ length: OUTPUT_SIZE }, (_, k) => 0.3 + 0.4 * (k < STAGE_OUTPUT_COUNT ? s[i][k % STAGE_INPUT_SIZE] : row[k])))
  return { x, s, y }
}

describe('model files (own IO handler, wasm backend here)', () => {
  it('saves model.json + weights.bin + card.json and loads the same network back', async () => {
    const { tf, backend } = await loadTf()
    expect(['wasm', 'tensorflow']).toContain(backend)
    const network = buildNetwork(tf, 3)
    const dir = tempDir()
    await saveModel(dir, network, card())
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))
    expect(manifest.weightsManifest[0].paths).toEqual(['./weights.bin'])
    const loaded = await loadModel(dir)
    const x = rows(1, 5).x[0]
    expect(Array.from(predictRow(tf, loaded.network, x))).toEqual(Array.from(predictRow(tf, network, x)))
    expect(loaded.card.schemaFingerprint).toBe(SCHEMA_FINGERPRINT)
  })

  it('reads the stage features for the loudness outputs only', async () => {
    const { tf } = await loadTf()
    const network = buildNetwork(tf, 4)
    const x = rows(1, 6).x[0]
    const a = predictRow(tf, network, x, new Float32Array(STAGE_INPUT_SIZE).fill(0.1))
    const b = predictRow(tf, network, x, new Float32Array(STAGE_INPUT_SIZE).fill(0.9))
    expect(Array.from(b.slice(STAGE_OUTPUT_COUNT))).toEqual(Array.from(a.slice(STAGE_OUTPUT_COUNT)))
    for (let k = 0; k < STAGE_OUTPUT_COUNT; k++) expect(b[k]).not.toBe(a[k])
  })

  it('averages an ensemble in one network that saves, loads and posts (as data) like one', async () => {
    const { tf } = await loadTf()
    const members = [buildNetwork(tf, 11), buildNetwork(tf, 12)]
    const ensemble = ensembleOf(tf, members)
    const { x: [x], s: [stage] } = rows(1, 8)
    const mean = Array.from(predictRow(tf, members[0], x, stage), (v, k) => (v + predictRow(tf, members[1], x, stage)[k]) / 2)
    const predicted = Array.from(predictRow(tf, ensemble, x, stage))
    predicted.forEach((v, k) => expect(v).toBeCloseTo(mean[k], 6))
    const dir = tempDir()
    await saveModel(dir, ensemble, card())
    expect(Array.from(predictRow(tf, (await loadModel(dir)).network, x, stage))).toEqual(predicted)
    const posted = await networkFromArtifacts(structuredClone(await networkArtifacts(ensemble)))
    expect(Array.from(predictRow(tf, posted.network, x, stage))).toEqual(predicted)
  })

  it('refuses a model of another schema, naming both fingerprints', async () => {
    const { tf } = await loadTf()
    const dir = tempDir()
    await saveModel(dir, buildNetwork(tf, 1), card('ffffffffffffffff'))
    const failure = await loadModel(dir).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(RefmasterError)
    expect((failure as RefmasterError).code).toBe('MODEL_INCOMPATIBLE')
    expect((failure as Error).message).toContain('ffffffffffffffff')
    expect((failure as Error).message).toContain(SCHEMA_FINGERPRINT)
  })

  it('says when there is no model', async () => {
    const failure = await loadModel(join(tempDir(), 'missing')).catch((error: unknown) => error)
    expect((failure as RefmasterError).code).toBe('FILE_NOT_FOUND')
    const dir = tempDir()
    writeFileSync(join(dir, CARD_JSON), '{not json')
    expect(((await loadModel(dir).catch((error: unknown) => error)) as RefmasterError).code).toBe('MODEL_INCOMPATIBLE')
  })

  it('trains deterministically for a seed', async () => {
    const { tf } = await loadTf()
    const data = rows(64, 9)
    const heldOut = rows(16, 10)
    const run = async () => {
      const network = buildNetwork(tf, 7)
      const losses = await trainNetwork(tf, network, data, heldOut, { seed: 7, epochs: 3, batchSize: 16, learningRate: 1e-2 })
      const weights = network.getWeights().map((w) => Array.from(w.dataSync()))
      return { losses, weights }
    }
    const a = await run()
    const b = await run()
    expect(b.losses).toEqual(a.losses)
    expect(b.weights).toEqual(a.weights)
    expect(a.losses.heldOutLoss).toBeGreaterThan(0)
  })
})
