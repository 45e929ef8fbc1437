import { RefmasterError } from '../errors.js'
import targetFile from './playback-targets.json' with { type: 'json' }

/**
 * Playback targets are data (DESIGN.md): ./playback-targets.json names each target's loudness,
 * true-peak ceiling, optional system constraints, source and date, and the normalising platforms
 * whose turn-down (the "loudness penalty") the report shows.
 */
export interface PlaybackTarget {
  name: string
  label: string
  /** Integrated loudness to master to (LUFS); null for "reference", which takes the reference's. */
  integratedLufs: number | null
  truePeakCeilingDbtp: number
  /** Systems that need it (club): side content below this frequency is removed. */
  monoBelowHz?: number
  /** Delivered through a lossy codec (streaming, podcasts): the delivery check encodes MP3 and measures again. */
  deliveredLossy: boolean
  source: string
  date: string
}

/** A streaming platform that normalises playback loudness. */
export interface NormalisingPlatform {
  name: string
  referenceLufs: number
  /** Whether the platform also raises quieter masters (else it only turns louder ones down). */
  turnsUp: boolean
  source: string
}

interface TargetFile {
  targets: PlaybackTarget[]
  platforms: NormalisingPlatform[]
}

const data = targetFile as TargetFile

/** Every playback target, in the file's order. */
export const PLAYBACK_TARGETS: readonly PlaybackTarget[] = data.targets
/** Every normalising platform, in the file's order. */
export const NORMALISING_PLATFORMS: readonly NormalisingPlatform[] = data.platforms

/** The target called `name`; USAGE error listing the names otherwise. */
export function playbackTarget(name: string): PlaybackTarget {
  const target = PLAYBACK_TARGETS.find((t) => t.name === name)
  if (!target) throw new RefmasterError('USAGE', `unknown target '${name}'; use one of ${PLAYBACK_TARGETS.map((t) => t.name).join(', ')}`)
  return target
}

/** How much each platform changes the master's level on playback (dB; negative = turned down). */
export function loudnessPenalties(integratedLufs: number, truePeakDbtp: number): Array<{ platform: string; gainDb: number }> {
  return NORMALISING_PLATFORMS.map((platform) => {
    let gainDb = platform.referenceLufs - integratedLufs
    // Platforms that raise quiet masters do so only as far as the headroom to -1 dBTP allows.
    if (gainDb > 0) gainDb = platform.turnsUp ? Math.min(gainDb, Math.max(0, -1 - truePeakDbtp)) : 0
    return { platform: platform.name, gainDb: Number.isFinite(gainDb) ? gainDb : 0 }
  })
}
