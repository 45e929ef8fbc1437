/**
 * The service's worker thread (run by piscina): all CPU work of the API happens here, so the event loop
 * that answers HTTP never decodes or renders. Results are plain data, failures too (`FailedResult`).
 */
import { readFile } from 'node:fs/promises'
import type { MessagePort } from 'node:worker_threads'
import { durationSeconds } from '../audio/audio.js'
import { decodeAudio } from '../audio/decode.js'
import { measureLoudness } from '../analysis/loudness/index.js'
import { ABSOLUTE_GATE_LUFS } from '../analysis/loudness/meter.js'
import { failedResult, RefmasterError, type FailedResult } from '../errors.js'
import type { MasterReport } from '../master.js'
import { openLibrary, type AddTrackRequest } from '../library/library.js'
import type { LibraryTrack } from '../library/manifest.js'
import { renderVersion, type RenderTask } from './render-task.js'

/** Checks an upload before the job is accepted: decodable, within the duration limit, and (for a mix) not silent. */
export interface ProbeTask {
  kind: 'probe'
  path: string
  /** Names the file in messages: the form field and the client's file name. */
  what: string
  maxDurationSeconds: number
  mustHaveSound: boolean
}

/** Files an uploaded track in the user's reference library (analysed once, profiles rebuilt). */
export interface LibraryAddTask {
  kind: 'library-add'
  userDir: string
  request: AddTrackRequest
}

export type WorkerTask = ProbeTask | LibraryAddTask | (RenderTask & { kind: 'render'; progress: MessagePort })

export type WorkerResult =
  | { ok: true; durationSeconds?: number; report?: MasterReport; track?: LibraryTrack }
  | FailedResult

async function probe(task: ProbeTask): Promise<{ durationSeconds: number }> {
  const audio = await decodeAudio(await readFile(task.path), task.what)
  const seconds = durationSeconds(audio)
  if (seconds > task.maxDurationSeconds) {
    throw new RefmasterError('TOO_LONG', `${task.what}: ${(seconds / 60).toFixed(1)} minutes of audio is over the limit of ${(task.maxDurationSeconds / 60).toFixed(1)} minutes`)
  }
  if (task.mustHaveSound && !(measureLoudness(audio).integratedLufs > ABSOLUTE_GATE_LUFS)) {
    throw new RefmasterError('SILENT_AUDIO', `${task.what} is silent or nearly so (integrated loudness below ${ABSOLUTE_GATE_LUFS} LUFS): there is nothing to master`)
  }
  return { durationSeconds: seconds }
}

/** Minimum progress step sent to the main thread (it stores and streams each one). */
const PROGRESS_STEP = 0.01

export default async function run(task: WorkerTask): Promise<WorkerResult> {
  try {
    if (task.kind === 'probe') return { ok: true, ...(await probe(task)) }
    if (task.kind === 'library-add') return { ok: true, track: await openLibrary({ userDir: task.userDir }).add(task.request) }
    let sent = -1
    let sentStage = ''
    const report = await renderVersion(task, (fraction, stage) => {
      if (fraction - sent >= PROGRESS_STEP || stage !== sentStage) {
        sent = fraction
        sentStage = stage
        task.progress.postMessage({ fraction, stage })
      }
    })
    return { ok: true, report }
  } catch (error) {
    return failedResult(error)
  } finally {
    if (task.kind === 'render') task.progress.close()
  }
}
