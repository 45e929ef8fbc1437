import type { SpectrumCurve } from '../analysis/spectrum/ltas.js'
import { dbToPower, powerToDb } from '../units/db.js'

/**
 * How a master translates to the playback systems people actually use, estimated from its third-octave
 * mid and side spectra: each system is a magnitude response (dB per frequency) and mono or stereo. The
 * responses are coarse, typical curves (small-driver high-pass, car cabin gain, club mono subs), enough
 * to show what survives, not a measurement of any one device.
 */
export interface PlaybackSystem {
  name: string
  /** Frequency response as (Hz, dB) points, interpolated linearly in log frequency, held at the ends. */
  responseDb: Array<[number, number]>
  /** Plays the sum of the channels (phone speaker), or mono below a frequency (club subs). */
  monoBelowHz: number
}

/** Systems we simulate (DESIGN.md / issue: phone speaker, laptop, earbuds, car, club). */
export const PLAYBACK_SYSTEMS: readonly PlaybackSystem[] = [
  // A phone's micro-speaker: little below ~500 Hz, a presence bump, mono.
  { name: 'phone speaker', responseDb: [[100, -40], [300, -18], [600, -4], [1000, 0], [3000, 3], [8000, 0], [12000, -10]], monoBelowHz: Infinity },
  // Laptop speakers: a high-pass near 200 Hz, narrow stereo.
  { name: 'laptop', responseDb: [[60, -30], [150, -12], [250, -3], [400, 0], [10000, 0], [16000, -8]], monoBelowHz: 0 },
  // Earbuds: fairly full range with a gentle bass roll-off.
  { name: 'earbuds', responseDb: [[20, -10], [40, -4], [80, 0], [10000, 0], [16000, -4]], monoBelowHz: 0 },
  // Car: cabin gain lifts the low end, road noise masks the top a little.
  { name: 'car', responseDb: [[25, -6], [40, 4], [80, 4], [200, 0], [8000, 0], [16000, -3]], monoBelowHz: 0 },
  // Club PA: extended subs summed to mono below ~120 Hz.
  { name: 'club', responseDb: [[25, -3], [40, 2], [100, 2], [200, 0], [16000, 0]], monoBelowHz: 120 },
]

/** What a system does to the master. */
export interface Translation {
  system: string
  /** Level change of the whole master through the system (dB, power over 31.5 Hz - 16 kHz). */
  levelDb: number
  /** Share of the energy below 120 Hz that the system still plays, in dB (0 = all of it). */
  lowEndKeptDb: number
  /** Level lost by summing to mono where the system is mono (dB; 0 where it plays stereo). */
  monoFoldDownLossDb: number
}

const LOW_END_HZ = 120

function responseAt(points: Array<[number, number]>, hz: number): number {
  if (hz <= points[0][0]) return points[0][1]
  const last = points[points.length - 1]
  if (hz >= last[0]) return last[1]
  let i = 1
  while (points[i][0] < hz) i++
  const [f0, d0] = points[i - 1]
  const [f1, d1] = points[i]
  return d0 + ((d1 - d0) * Math.log(hz / f0)) / Math.log(f1 / f0)
}

/** Translation of a master with third-octave spectrum `spectrum` to every simulated system. */
export function translate(spectrum: SpectrumCurve): Translation[] {
  return PLAYBACK_SYSTEMS.map((system) => {
    let before = 0
    let after = 0
    let lowBefore = 0
    let lowAfter = 0
    let stereoThrough = 0
    let monoThrough = 0
    spectrum.frequenciesHz.forEach((hz, i) => {
      const mid = dbToPower(spectrum.midDb[i])
      const side = dbToPower(spectrum.sideDb[i])
      const gain = dbToPower(responseAt(system.responseDb, hz))
      const mono = hz < system.monoBelowHz
      // Summing to mono cancels the side: each speaker then plays the mid only.
      const played = (mono ? mid : mid + side) * gain
      before += mid + side
      after += played
      stereoThrough += (mid + side) * gain
      monoThrough += played
      if (hz < LOW_END_HZ) {
        lowBefore += mid + side
        lowAfter += played
      }
    })
    return {
      system: system.name,
      levelDb: powerToDb(after / before),
      lowEndKeptDb: lowBefore > 0 ? Math.max(-60, powerToDb(lowAfter / lowBefore)) : 0,
      monoFoldDownLossDb: powerToDb(monoThrough / stereoThrough),
    }
  })
}
