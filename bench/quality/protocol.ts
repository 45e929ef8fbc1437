/**
 * One excerpt of the evaluation protocol and the scoring of a system's output: ports of the per-track
 * parts of ../shared/eval/run_eval.py (`main`'s segment cutting and `score`).
 *
 * Per excerpt: decode, two channels, 44.1 kHz; A = the first 25 s, B = the last 25 s; mix = degrade(A).
 * The systems read the mix and B as run_eval.py writes them, 24-bit WAV (pcm24.ts reproduces that round
 * trip exactly); the goals are scored unquantised, except their loudness range, which run_eval.py
 * measures on the WAV files (ffmpeg ebur128).
 */
import type { Audio } from '../../src/audio/audio.js'
import { decodeFile } from '../../src/audio/decode.js'
import { resample } from '../../src/audio/resample.js'
import { applyDegradation, type DegradationParams } from './degrade.js'
import { align, analyze, mrstft, tonalBalanceErrorOfCurves, type SignalAnalysis } from './metrics.js'
import { roundTrip24Channel } from './pcm24.js'

/** run_eval.py SR: every signal is scored at 44.1 kHz. */
export const PROTOCOL_SAMPLE_RATE_HZ = 44100
/** run_eval.py --seg default: A and B are 25 s each. */
export const DEFAULT_SEGMENT_SECONDS = 25
/** The true-peak ceiling every output must respect (dBTP; README "Constraints"). */
export const CEILING_DBTP = -1
/** align(max_lag=SR): the alignment searches lags within 1 s. */
export const MAX_LAG_SAMPLES = PROTOCOL_SAMPLE_RATE_HZ

/** One track's inputs and goals. `target` (clean A) is only needed by the match task. */
export interface Excerpt {
  stem: string
  /** Clean A, as decoded and resampled (float): the match task's goal. */
  target: Audio
  /** Analysis of A (its LRA from the 24-bit WAV, as run_eval.py measures it). */
  targetAnalysis: SignalAnalysis
  /** B as the systems read it: 24-bit round trip. */
  reference: Audio
  /** Analysis of B unquantised (its LRA from the 24-bit WAV): the cross task's goal. */
  referenceAnalysis: SignalAnalysis
  /** degrade(A) after the 24-bit round trip. */
  mix: Audio
  /** degrade.py's headroom attenuation, recomputed (dB). */
  headroomDb: number
  /** Set when the file is shorter than two segments (A and B overlap), as run_eval.py warns. */
  warning?: string
}

/** Two channels, as ffmpeg's `-ac 2` gives them (mono duplicated). */
export function toStereo(audio: Audio): Audio {
  if (audio.channels.length === 2) return audio
  if (audio.channels.length === 1) return { sampleRateHz: audio.sampleRateHz, channels: [audio.channels[0], audio.channels[0].slice()] }
  throw new Error(`expected mono or stereo, got ${audio.channels.length} channels`)
}

/** Samples [start, start + length) of every channel (copies). */
function slice(audio: Audio, start: number, length: number): Audio {
  return { sampleRateHz: audio.sampleRateHz, channels: audio.channels.map((c) => c.slice(start, start + length)) }
}

/** The 24-bit WAV round trip of every channel. */
export function roundTrip24(audio: Audio): Audio {
  return { sampleRateHz: audio.sampleRateHz, channels: audio.channels.map((c) => roundTrip24Channel(c)) }
}

/**
 * Whether the 24-bit round trip would clip `audio`. Otherwise it changes samples by at most 2^-23, far
 * too little to move a loudness range (the LRA of the WAV file can then be measured on `audio` itself).
 */
function exceedsFullScale(audio: Audio): boolean {
  return audio.channels.some((c) => c.some((v) => Math.abs(v) > 1))
}

/** Decodes `path` and builds its excerpt with the degradation `params` (segments of `segmentSeconds`). */
export async function loadExcerpt(path: string, stem: string, params: DegradationParams, segmentSeconds = DEFAULT_SEGMENT_SECONDS): Promise<Excerpt> {
  const x = resample(toStereo(await decodeFile(path)), PROTOCOL_SAMPLE_RATE_HZ)
  const n = Math.trunc(segmentSeconds * PROTOCOL_SAMPLE_RATE_HZ)
  const length = x.channels[0].length
  const warning = length < 2 * n ? `${stem} is ${(length / PROTOCOL_SAMPLE_RATE_HZ).toFixed(1)} s, segments A/B overlap` : undefined
  const target = slice(x, 0, n)
  const b = slice(x, Math.max(0, length - n), n)
  const degraded = applyDegradation(Float64Array.from(target.channels[0]), Float64Array.from(target.channels[1]), PROTOCOL_SAMPLE_RATE_HZ, params)
  const mix = roundTrip24({ sampleRateHz: PROTOCOL_SAMPLE_RATE_HZ, channels: degraded.channels.map((c) => Float32Array.from(c)) })
  // Float32Array.from(float64) rounds to float32 first, exactly as write_wav's cast to <f4 does
  const reference = roundTrip24(b)
  return {
    stem,
    target,
    targetAnalysis: analyze(target, exceedsFullScale(target) ? roundTrip24(target) : target),
    reference,
    referenceAnalysis: analyze(b, exceedsFullScale(b) ? reference : b),
    mix,
    headroomDb: degraded.headroomDb,
    warning,
  }
}

/** One row of a per-track table, with run_eval.py's column names and order. */
export type Row = Record<string, string | number>

/**
 * run_eval.py `score`: metrics of a system's output against the goal (A for match, another track's B for
 * cross). `output` is what the system returned; it is written and read back as the protocol does (24-bit
 * WAV, then 44.1 kHz). `goalSignal` (clean A) is needed for the match task's STFT distance.
 */
export function score(output: Audio, goal: SignalAnalysis, goalSignal: Audio | undefined, mixFrames: number, wallSeconds: number): Row {
  const written = roundTrip24(toStereo(output))
  const out = written.sampleRateHz === PROTOCOL_SAMPLE_RATE_HZ ? written : resample(written, PROTOCOL_SAMPLE_RATE_HZ)
  const o = analyze(out, written)
  const row: Row = {
    out_sr: written.sampleRateHz,
    d_lufs: Math.abs(o.lufs - goal.lufs),
    tbe_db: tonalBalanceErrorOfCurves(o.ltasDb, goal.ltasDb),
    d_side_mid_db: Math.abs(o.sideMidDb - goal.sideMidDb),
    d_plr_db: Math.abs(o.plrDb - goal.plrDb),
    d_lra: Math.abs(o.lraLu - goal.lraLu),
    out_tp_dbtp: o.truePeakDbtp,
    out_clipped: o.clipped,
    wall_s: wallSeconds,
    xrt: mixFrames / PROTOCOL_SAMPLE_RATE_HZ / wallSeconds,
    out_lufs: o.lufs,
    goal_lufs: goal.lufs,
    out_plr: o.plrDb,
    goal_plr: goal.plrDb,
    out_side_mid: o.sideMidDb,
    goal_side_mid: goal.sideMidDb,
  }
  const outFrames = out.channels[0].length
  if (goalSignal) {
    const aligned = align(out, goalSignal, MAX_LAG_SAMPLES)
    const distance = mrstft(aligned.est, aligned.ref)
    const goalFrames = goalSignal.channels[0].length
    Object.assign(row, {
      mrstft: distance.total,
      mrstft_logmag: distance.logMagnitude,
      abs_lag_samples: Math.abs(aligned.lagSamples),
      abs_len_diff: Math.abs(outFrames - goalFrames),
      lag_samples: aligned.lagSamples,
      len_diff: outFrames - goalFrames,
    })
  } else {
    // not in run_eval.py's cross rows: the output's length against the mix (the constraint)
    row.abs_len_diff = Math.abs(outFrames - mixFrames)
  }
  // not in run_eval.py's rows: the two loudness ranges behind d_lra
  row.out_lra = o.lraLu
  row.goal_lra = goal.lraLu
  return row
}
