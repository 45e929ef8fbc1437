/**
 * The settings network: a small MLP (inputs -> 64 -> 32 -> outputs, sigmoid outputs in [0, 1]) and its
 * deterministic training loop. Determinism: initialisers and dropout are seeded, and the batches are
 * shuffled with our own seeded generator (tfjs's `fit` shuffle uses Math.random).
 */
import { INPUT_SIZE, OUTPUTS, OUTPUT_SIZE, STAGE_INPUT_SIZE, STAGE_OUTPUT_COUNT } from './schema.js'
import type { Tf } from './tf.js'

/** Hidden layer widths: small enough for a few hundred training rows and a sub-millisecond prediction. */
export const HIDDEN_UNITS = [64, 32] as const
/** Dropout after the first hidden layer. */
const DROPOUT_RATE = 0.3
/** L2 penalty on the hidden kernels. */
const L2_PENALTY = 1e-4

/** Training options. */
export interface TrainOptions {
  seed: number
  epochs: number
  batchSize: number
  learningRate: number
  /** Called after each epoch with the mean training loss and the held-out loss. */
  onEpoch?: (epoch: number, loss: number, heldOutLoss: number) => void
}

/**
 * Measured alternatives (built-in library, seed 1, held-out mrstft / d_plr improvement over the analytic
 * path, all 72 draws; these defaults: 8.9 % / 26.3 %): 5 networks 9.1 / 26.1, 300 epochs 8.0 / 23.0,
 * hidden [128, 64] 8.3 / 26.5, dropout 0.1 7.7 / 30.3, L2 1e-3 4.2 / 9.9, learning rate 1e-3 9.0 / 31.2,
 * 5 networks at 1e-3 8.7 / 30.0 (seed 2: 4.7 / 28.6 against these defaults' 4.6 / 26.5), mean absolute
 * error as the loss 8.6 / 23.2: all within the spread between seeds (seed 2's split: 4.6 % on mrstft).
 * With the stage features (./features.ts STAGE_FEATURES, on the analytic path of that change: seed 1
 * 8.6 / 26.5 %, seed 2 8.0 / 26.5 %): a loss weight of 16 on the level output 7.5 / 22.9 % (seed 1).
 */
export const DEFAULT_TRAIN_OPTIONS = { epochs: 150, batchSize: 32, learningRate: 2e-3 } as const

type LayersModel = ReturnType<Tf['sequential']>

/** A deterministic pseudo-random generator (mulberry32) in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The network's shape and regularisation. */
export interface Architecture {
  hidden: readonly number[]
  dropoutRate: number
  l2Penalty: number
}
export const DEFAULT_ARCHITECTURE: Architecture = { hidden: HIDDEN_UNITS, dropoutRate: DROPOUT_RATE, l2Penalty: L2_PENALTY }

type SymbolicTensor = ReturnType<Tf['input']>

/**
 * The network's graph on `inputs` (the features and the stage features): two MLPs side by side. One reads
 * the features and gives the outputs that decide the stages before the loudness stage; the other reads the
 * features and the stage features (what those stages deliver to the loudness stage) and gives the loudness
 * outputs (schema.ts `readsStageInput`, the first outputs). Layers are named `${tag}.${branch}${k}`, so that
 * the ensemble finds each member's weights by name.
 */
function graph(tf: Tf, inputs: [SymbolicTensor, SymbolicTensor], architecture: Architecture, tag: string, seed?: number): SymbolicTensor {
  const [features, stage] = inputs
  const branch = (name: string, input: SymbolicTensor, units: number, k0: number) => {
    let x = input
    architecture.hidden.forEach((width, k) => {
      const init = seed === undefined ? undefined : tf.initializers.glorotUniform({ seed: seed * 10 + k0 + k + 1 })
      const regularizer = seed === undefined ? undefined : tf.regularizers.l2({ l2: architecture.l2Penalty })
      x = tf.layers.dense({ name: `${tag}.${name}${k}`, units: width, activation: 'relu', kernelInitializer: init, kernelRegularizer: regularizer }).apply(x) as SymbolicTensor
      // dropout after the first hidden layer, in training only (the ensemble is built without it)
      if (k === 0 && seed !== undefined) x = tf.layers.dropout({ name: `${tag}.${name}dropout`, rate: architecture.dropoutRate, seed: seed + 7 + k0 }).apply(x) as SymbolicTensor
    })
    const init = seed === undefined ? undefined : tf.initializers.glorotUniform({ seed: seed * 10 + k0 + architecture.hidden.length + 1 })
    // zero bias: an untrained network starts near 0.5 on every output, the analytic settings
    return tf.layers.dense({ name: `${tag}.${name}out`, units, activation: 'sigmoid', kernelInitializer: init }).apply(x) as SymbolicTensor
  }
  const loudness = branch('loudness', tf.layers.concatenate({ name: `${tag}.withstage` }).apply([features, stage]) as SymbolicTensor, STAGE_OUTPUT_COUNT, 50)
  const stages = branch('stages', features, OUTPUT_SIZE - STAGE_OUTPUT_COUNT, 0)
  return tf.layers.concatenate({ name: `${tag}.outputs` }).apply([loudness, stages]) as SymbolicTensor
}

/** The network's two inputs: the features and the stage features. */
function networkInputs(tf: Tf): [SymbolicTensor, SymbolicTensor] {
  return [tf.input({ shape: [INPUT_SIZE], name: 'features' }), tf.input({ shape: [STAGE_INPUT_SIZE], name: 'stage' })]
}

/** The untrained network, its weights drawn from `seed`. */
export function buildNetwork(tf: Tf, seed: number, architecture: Architecture = DEFAULT_ARCHITECTURE): LayersModel {
  const inputs = networkInputs(tf)
  return tf.model({ inputs, outputs: graph(tf, inputs, architecture, `n${seed}`, seed) }) as unknown as LayersModel
}

/** Mean squared error over the outputs, each weighted by its schema `lossWeight` (weights sum to the output count). */
export function weightedLoss(tf: Tf) {
  const raw = OUTPUTS.map((o) => o.lossWeight)
  const total = raw.reduce((s, w) => s + w, 0)
  const weights = tf.tensor1d(raw.map((w) => (w * raw.length) / total))
  return (yTrue: ReturnType<Tf['tensor']>, yPred: ReturnType<Tf['tensor']>) => tf.tidy(() => tf.mean(tf.mul(tf.square(tf.sub(yTrue, yPred)), weights)))
}

/** Rows as a matrix tensor. */
function matrix(tf: Tf, rows: Float32Array[], width: number) {
  const flat = new Float32Array(rows.length * width)
  rows.forEach((row, i) => flat.set(row, i * width))
  return tf.tensor2d(flat, [rows.length, width])
}

/** Training rows: features x, stage features s and labels y. */
export interface Rows {
  x: Float32Array[]
  s: Float32Array[]
  y: Float32Array[]
}

/** Trains `network` on ([x, s], y), reporting the held-out loss each epoch; returns the final losses. */
export async function trainNetwork(
  tf: Tf,
  network: LayersModel,
  train: Rows,
  heldOut: Rows,
  options: TrainOptions,
): Promise<{ loss: number; heldOutLoss: number }> {
  const loss = weightedLoss(tf)
  network.compile({ optimizer: tf.train.adam(options.learningRate), loss })
  const random = seededRandom(options.seed ^ 0x5eed)
  const hx = heldOut.x.length > 0 ? [matrix(tf, heldOut.x, INPUT_SIZE), matrix(tf, heldOut.s, STAGE_INPUT_SIZE)] : undefined
  const hy = heldOut.y.length > 0 ? matrix(tf, heldOut.y, OUTPUT_SIZE) : undefined
  let last = { loss: NaN, heldOutLoss: NaN }
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const order = train.x.map((_, i) => i)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j], order[i]]
    }
    const x = [matrix(tf, order.map((i) => train.x[i]), INPUT_SIZE), matrix(tf, order.map((i) => train.s[i]), STAGE_INPUT_SIZE)]
    const y = matrix(tf, order.map((i) => train.y[i]), OUTPUT_SIZE)
    const history = await network.fit(x, y, { epochs: 1, batchSize: options.batchSize, shuffle: false, verbose: 0 })
    x.forEach((t) => t.dispose())
    y.dispose()
    const trainLoss = Number(history.history.loss[0])
    let heldOutLoss = NaN
    if (hx && hy) {
      const predicted = network.predict(hx) as ReturnType<Tf['tensor']>
      const value = loss(hy, predicted)
      heldOutLoss = (await value.data())[0]
      predicted.dispose()
      value.dispose()
    }
    last = { loss: trainLoss, heldOutLoss }
    options.onEpoch?.(epoch, trainLoss, heldOutLoss)
  }
  hx?.forEach((t) => t.dispose())
  hy?.dispose()
  return last
}

/**
 * Runs the network on one row: the features and the stage features. Before the stages have run, the stage
 * features are unknown: give none, and the loudness outputs (the first STAGE_OUTPUT_COUNT) are not to be read.
 */
export function predictRow(tf: Tf, network: Pick<LayersModel, 'predict'>, features: Float32Array, stageFeatures: Float32Array = UNKNOWN_STAGE): Float32Array {
  return tf.tidy(() => {
    const output = network.predict([tf.tensor2d(features, [1, INPUT_SIZE]), tf.tensor2d(stageFeatures, [1, STAGE_INPUT_SIZE])]) as ReturnType<Tf['tensor']>
    return output.dataSync() as Float32Array
  })
}
const UNKNOWN_STAGE = new Float32Array(STAGE_INPUT_SIZE).fill(0.5)

/**
 * One network that averages the outputs of `members` (trained with different seeds): a bagged ensemble
 * whose variance is lower than any member's. It is a plain layers model (the members' graphs side by side
 * and an average), so it is saved and loaded as one model.json + weights.bin; dropout is left out (inference).
 */
export function ensembleOf(tf: Tf, members: LayersModel[], architecture: Architecture = DEFAULT_ARCHITECTURE): LayersModel {
  if (members.length === 1) return members[0]
  const inputs = networkInputs(tf)
  const outputs = members.map((_, k) => graph(tf, inputs, architecture, `m${k}`))
  const model = tf.model({ inputs, outputs: tf.layers.average({ name: 'average' }).apply(outputs) as SymbolicTensor }) as unknown as LayersModel
  members.forEach((member, k) => {
    for (const layer of member.layers) {
      if (layer.getClassName() !== 'Dense') continue
      model.getLayer(`m${k}.${layer.name.slice(layer.name.indexOf('.') + 1)}`).setWeights(layer.getWeights())
    }
  })
  return model
}
