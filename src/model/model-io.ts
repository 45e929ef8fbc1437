/**
 * A trained settings model on disk: a folder `models/<name>/` with `model.json` (tfjs layers topology and
 * weights manifest), `weights.bin` and `card.json` (schema fingerprint, training data, held-out metrics).
 * The file IO handler is our own, so that tfjs-node and the wasm backend read and write the same files
 * (without tfjs-node, tfjs has no `file://` handler: STACK.md).
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { writeFileAtomic } from '../atomic-write.js'
import { join } from 'node:path'
import { RefmasterError } from '../errors.js'
import { assertFingerprint, INPUT_SIZE, OUTPUT_SIZE, STAGE_INPUT_SIZE } from './schema.js'
import { predictRow } from './network.js'
import { loadTf, type Tf } from './tf.js'

export const MODEL_JSON = 'model.json'
export const WEIGHTS_BIN = 'weights.bin'
export const CARD_JSON = 'card.json'

/** What a model card records (DESIGN.md "The model"). */
export interface ModelCard {
  name: string
  schemaFingerprint: string
  createdAt: string
  seed: number
  backend: string
  trainingTracks: string[]
  heldOutTracks: string[]
  [key: string]: unknown
}

type LayersModel = Awaited<ReturnType<Tf['loadLayersModel']>>
type IOHandler = Parameters<Tf['loadLayersModel']>[0] & { save: NonNullable<Exclude<Parameters<LayersModel['save']>[0], string>['save']> }
type ModelArtifacts = Parameters<IOHandler['save']>[0]

function joinWeights(data: ModelArtifacts['weightData']): Uint8Array {
  if (data === undefined) return new Uint8Array(0)
  const parts = Array.isArray(data) ? data : [data]
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0)
  const joined = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    joined.set(new Uint8Array(part), offset)
    offset += part.byteLength
  }
  return joined
}

/** An IO handler for `dir` that reads and writes model.json + weights.bin (the tfjs file layout). */
export function fileHandler(dir: string): IOHandler {
  return {
    async save(artifacts: ModelArtifacts) {
      mkdirSync(dir, { recursive: true })
      const weights = joinWeights(artifacts.weightData)
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      }
      writeFileAtomic(join(dir, WEIGHTS_BIN), weights)
      writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson))
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } }
    },
    async load() {
      const modelJson = JSON.parse(readFileSync(join(dir, MODEL_JSON), 'utf8'))
      const weights = readFileSync(join(dir, WEIGHTS_BIN))
      const weightSpecs = (modelJson.weightsManifest as Array<{ weights: unknown[] }>).flatMap((group) => group.weights)
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        weightSpecs: weightSpecs as ModelArtifacts['weightSpecs'],
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }
    },
  } as IOHandler
}

/** A loaded model with its card. */
export interface LoadedModel {
  dir: string
  card: ModelCard
  network: LayersModel
  tf: Tf
  backend: string
}

/** Reads the card of the model in `dir`, or fails with FILE_NOT_FOUND / MODEL_INCOMPATIBLE. */
export function readCard(dir: string): ModelCard {
  let text: string
  try {
    text = readFileSync(join(dir, CARD_JSON), 'utf8')
  } catch {
    throw new RefmasterError('FILE_NOT_FOUND', `no trained model in '${dir}' (${CARD_JSON} is missing): train one with \`refmaster train\``)
  }
  try {
    return JSON.parse(text) as ModelCard
  } catch (error) {
    throw new RefmasterError('MODEL_INCOMPATIBLE', `'${join(dir, CARD_JSON)}' is not valid JSON: ${(error as Error).message}`)
  }
}

/** Loads the model in `dir`, refusing one trained for another schema (naming both fingerprints). */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const card = readCard(dir)
  assertFingerprint(String(card.schemaFingerprint), dir)
  const { tf, backend } = await loadTf()
  let network: LayersModel
  try {
    network = await tf.loadLayersModel(fileHandler(dir))
  } catch (error) {
    throw new RefmasterError('MODEL_INCOMPATIBLE', `cannot read the network of model '${dir}': ${(error as Error).message}`)
  }
  const inputs = network.inputs.map((input) => input.shape[1])
  const outputs = network.outputs[0].shape[1]
  if (inputs.length !== 2 || inputs[0] !== INPUT_SIZE || inputs[1] !== STAGE_INPUT_SIZE || outputs !== OUTPUT_SIZE) {
    throw new RefmasterError('MODEL_INCOMPATIBLE', `model '${dir}' maps ${inputs.join(' + ')} inputs to ${outputs} outputs; the schema has ${INPUT_SIZE} + ${STAGE_INPUT_SIZE} and ${OUTPUT_SIZE}`)
  }
  // The first prediction builds the backend's kernels (tens of ms on wasm): that belongs to loading, so
  // that a master's prediction costs what predicting costs.
  predictRow(tf, network, new Float32Array(INPUT_SIZE))
  return { dir, card, network, tf, backend }
}

/** A network as data (topology, weight specs and weights): it can be posted to a worker thread. */
export type NetworkArtifacts = ModelArtifacts

/** `network` as data (what `network.save` would write), for `networkFromArtifacts` in another thread. */
export async function networkArtifacts(network: LayersModel): Promise<NetworkArtifacts> {
  let saved: ModelArtifacts | undefined
  await network.save({
    save: async (artifacts: ModelArtifacts) => {
      saved = { ...artifacts, weightData: joinWeights(artifacts.weightData).buffer as ArrayBuffer }
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    },
  } as IOHandler)
  return saved!
}

/** The network of `artifacts` (from `networkArtifacts`). */
export async function networkFromArtifacts(artifacts: NetworkArtifacts): Promise<{ network: LayersModel; tf: Tf }> {
  const { tf } = await loadTf()
  return { network: await tf.loadLayersModel(tf.io.fromMemory(artifacts)), tf }
}

/** Saves `network` and its card into `dir` (created if needed). */
export async function saveModel(dir: string, network: LayersModel, card: ModelCard): Promise<void> {
  await network.save(fileHandler(dir))
  writeFileAtomic(join(dir, CARD_JSON), JSON.stringify(card, null, 2) + '\n')
}
