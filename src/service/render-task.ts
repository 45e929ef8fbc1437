import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { deserialize, serialize } from 'node:v8'
import type { Audio } from '../audio/audio.js'
import { durationSeconds } from '../audio/audio.js'
import { decodeAudio } from '../audio/decode.js'
import { writeAudioFile } from '../audio/encode.js'
import type { OutputFormat } from '../audio/formats.js'
import type { Strengths } from '../chain/strengths.js'
import { openLibrary } from '../library/library.js'
import { analyseInputs, masterTrack, type AnalysedInputs, type MasterReport } from '../master.js'
import { dbToGain } from '../units/db.js'
import { writeFileAtomic } from '../atomic-write.js'
import { partialName, removePartials } from './files.js'
import { settingsFor } from './settings-source.js'
import type { JobRequest } from './job-store.js'

/** Extension of each output format's file. */
export const FORMAT_EXTENSIONS: Readonly<Record<OutputFormat, string>> = { wav16: 'wav', wav24: 'wav', wav32f: 'wav', flac16: 'flac', flac24: 'flac', mp3: 'mp3' }
/** File name of a version's master in `format`. */
export const masterFileName = (format: OutputFormat) => `master-${format}.${FORMAT_EXTENSIONS[format]}`
/** Previews are 16-bit WAV: lossless, decoded by every browser, cheap to write. */
export const PREVIEW_FORMAT: OutputFormat = 'wav16'
export const PREVIEW_KINDS = ['mix', 'master', 'reference'] as const
export type PreviewKind = (typeof PREVIEW_KINDS)[number]
export const previewFileName = (kind: PreviewKind) => `preview-${kind}.wav`
/** Columns of the waveform overview the page draws (min/max pairs are not needed: peaks are symmetric enough). */
export const WAVEFORM_COLUMNS = 1200

/** Job-level listening data, made with version 1: the common preview level and the mix/reference peaks. */
export interface PreviewInfo {
  /**
   * Loudness every preview plays at: the quietest of mix, master and reference (nothing is made louder),
   * lowered further if a track's samples would clip (decoded lossy files often exceed full scale).
   */
  levelLufs: number
  mix: { gainDb: number; peaks: number[]; durationSeconds: number }
  reference: { gainDb: number; peaks: number[]; durationSeconds: number } | null
}

/** A version's listening data: its master preview's gain and peaks. */
export interface VersionView {
  master: { gainDb: number; peaks: number[]; durationSeconds: number }
}

export interface RenderTask {
  jobDir: string
  n: number
  /** Which attempt at this version (the store counts them): its partial folder is its own. */
  attempt: number
  /** The user's reference library, for genre targets. */
  libraryDir: string
  /** Where trained models live (DATA_DIR/models), for the job's settings source. */
  modelsDir: string
  request: JobRequest
  strengths: Partial<Strengths>
}

/** Largest absolute sample over all channels in each of `columns` equal slices, rounded to 4 decimals. */
export function waveformPeaks(audio: Audio, columns = WAVEFORM_COLUMNS): number[] {
  const frames = audio.channels[0].length
  const peaks: number[] = []
  for (let column = 0; column < columns; column++) {
    const start = Math.floor((column * frames) / columns)
    const end = Math.max(start + 1, Math.floor(((column + 1) * frames) / columns))
    let peak = 0
    for (const channel of audio.channels) for (let i = start; i < end && i < frames; i++) peak = Math.max(peak, Math.abs(channel[i]))
    peaks.push(Math.round(peak * 1e4) / 1e4)
  }
  return peaks
}

/** The loudest level a track can be played at without being raised or clipped in a fixed-point preview. */
function playableLevelLufs(integratedLufs: number, samplePeakDbfs: number): number {
  return integratedLufs - Math.max(0, samplePeakDbfs)
}

function withGain(audio: Audio, gainDb: number): Audio {
  const gain = dbToGain(gainDb)
  return { sampleRateHz: audio.sampleRateHz, channels: audio.channels.map((channel) => channel.map((sample) => sample * gain)) }
}

async function decodeInput(jobDir: string, file: string, name: string): Promise<Audio> {
  return decodeAudio(await readFile(join(jobDir, file)), name)
}

/** The inputs' analyses: read from the job's folder, or made (and kept) on the first render. */
async function analysedInputs(task: RenderTask, mix: Audio, onProgress: (fraction: number, stage: string) => void): Promise<{ analysed: AnalysedInputs; reference: Audio | null }> {
  const path = join(task.jobDir, 'analysis.v8')
  if (existsSync(path)) return { analysed: deserialize(readFileSync(path)) as AnalysedInputs, reference: null }
  const references = []
  for (const reference of task.request.references) {
    references.push({ name: reference.name, weight: reference.weight, audio: await decodeInput(task.jobDir, reference.file, reference.name) })
  }
  const analysed = await analyseInputs({ mixName: task.request.mix.name, mix, references }, onProgress)
  writeFileAtomic(path, serialize(analysed))
  return { analysed, reference: references[0]?.audio ?? null }
}

/**
 * Renders one version of a job in its folder: the masters in every requested format, the loudness-matched
 * previews and the waveform data. Everything is written to the attempt's own partial folder and renamed to
 * `v<n>` at the end, so a version folder is always complete and there is only ever one; running it again
 * after a crash starts that version afresh, and the dead attempt's partial folder is removed.
 */
export async function renderVersion(task: RenderTask, onProgress: (fraction: number, stage: string) => void): Promise<MasterReport> {
  const { jobDir, n, request } = task
  const partial = join(jobDir, partialName(n, task.attempt))
  const final = join(jobDir, `v${n}`)
  removePartials(jobDir, n)
  mkdirSync(partial, { recursive: true })

  onProgress(0, 'decoding')
  const mix = await decodeInput(jobDir, request.mix.file, request.mix.name)
  const { analysed, reference } = await analysedInputs(task, mix, (fraction, stage) => onProgress(0.05 + 0.35 * fraction, stage))
  const library = request.genres?.length ? openLibrary({ userDir: task.libraryDir }) : null
  const genres = (request.genres ?? []).map(({ name, weight }) => {
    const genre = library!.genre(name)
    return { name, weight, profile: genre.profile, summary: genre.summary }
  })
  const { warning, ...source } = await settingsFor(request.settings, task.modelsDir)
  const result = await masterTrack(
    { mixName: request.mix.name, mix, genres, target: request.target ?? undefined, strengths: task.strengths, ...source },
    (fraction, stage) => stage !== 'done' && onProgress(0.4 + 0.35 * fraction, stage),
    analysed,
  )
  if (warning) result.report.warnings.push(warning)
  // The report names the model by its id, not by a folder of this server.
  if (result.report.settingsSource.model) result.report.settingsSource.model = request.settings

  for (const [index, format] of request.formats.entries()) {
    onProgress(0.75 + (0.15 * index) / request.formats.length, `encoding ${format}`)
    await writeAudioFile(join(partial, masterFileName(format)), result.audio, format)
  }

  onProgress(0.9, 'making the previews')
  const previewsPath = join(jobDir, 'previews.json')
  const masterLufs = result.report.measurements.after.integratedLufs
  let previews: PreviewInfo
  if (n === 1 || !existsSync(previewsPath)) {
    const mixLufs = analysed.mix.loudness.integratedLufs
    const referenceLoudness = analysed.references[0]?.analysis.loudness
    const referenceLufs = referenceLoudness?.integratedLufs
    const levelLufs = Math.min(
      playableLevelLufs(mixLufs, analysed.mix.loudness.samplePeakDbfs),
      playableLevelLufs(masterLufs, result.report.measurements.after.samplePeakDbfs),
      referenceLoudness ? playableLevelLufs(referenceLoudness.integratedLufs, referenceLoudness.samplePeakDbfs) : Infinity,
    )
    const mixPreview = withGain(mix, levelLufs - mixLufs)
    await writeAudioFile(join(jobDir, previewFileName('mix')), mixPreview, PREVIEW_FORMAT)
    let referenceInfo: PreviewInfo['reference'] = null
    const referenceAudio = reference ?? (request.references[0] ? await decodeInput(jobDir, request.references[0].file, request.references[0].name) : null)
    if (referenceAudio && referenceLufs !== undefined) {
      const referencePreview = withGain(referenceAudio, levelLufs - referenceLufs)
      await writeAudioFile(join(jobDir, previewFileName('reference')), referencePreview, PREVIEW_FORMAT)
      referenceInfo = { gainDb: levelLufs - referenceLufs, peaks: waveformPeaks(referencePreview), durationSeconds: durationSeconds(referenceAudio) }
    }
    previews = { levelLufs, mix: { gainDb: levelLufs - mixLufs, peaks: waveformPeaks(mixPreview), durationSeconds: durationSeconds(mix) }, reference: referenceInfo }
    writeFileAtomic(previewsPath, JSON.stringify(previews))
  } else {
    previews = JSON.parse(readFileSync(previewsPath, 'utf8'))
  }
  // A later version may be quieter than the level chosen with version 1: it is then left as it is.
  const masterGainDb = Math.min(0, previews.levelLufs - masterLufs, -result.report.measurements.after.samplePeakDbfs)
  const masterPreview = withGain(result.audio, masterGainDb)
  await writeAudioFile(join(partial, previewFileName('master')), masterPreview, PREVIEW_FORMAT)
  const view: VersionView = { master: { gainDb: masterGainDb, peaks: waveformPeaks(masterPreview), durationSeconds: durationSeconds(result.audio) } }
  writeFileAtomic(join(partial, 'view.json'), JSON.stringify(view))

  rmSync(final, { recursive: true, force: true })
  renameSync(partial, final)
  onProgress(1, 'done')
  return result.report
}
