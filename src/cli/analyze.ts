import type { Command } from 'commander'
import { decodeFile } from '../audio/decode.js'
import { analyzeTrack, type TrackAnalysis } from '../analysis/track-analysis.js'
import { jsonReplacer } from '../analysis/to-json.js'
import { createProgressBar } from './progress.js'
import { nominalBandName } from '../analysis/spectrum/frequency-bands.js'

/** Share of the progress bar given to decoding; analysis takes the rest. */
const DECODE_SHARE = 0.3

/** Registers `refmaster analyze FILE [--json]`. */
export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('measure a track: loudness (BS.1770 / EBU R128), peaks, spectrum, band dynamics, stereo image')
    .argument('<file>', 'audio file (WAV, AIFF, FLAC, MP3, Ogg Vorbis, Opus)')
    .option('--json', 'print the whole analysis as JSON (levels that do not exist are null)')
    .action(async (file: string, options: { json?: boolean }) => {
      const progress = createProgressBar('analyze')
      progress.update(0, 'decoding')
      const audio = await decodeFile(file)
      const analysis = analyzeTrack(audio, (fraction, stage) => progress.update(DECODE_SHARE + (1 - DECODE_SHARE) * fraction, stage))
      progress.done()
      process.stdout.write(options.json ? JSON.stringify({ file, ...analysis }, jsonReplacer, 2) + '\n' : formatSummary(file, analysis))
    })
}

const level = (value: number, unit: string, digits = 1) => (Number.isFinite(value) ? `${value.toFixed(digits)} ${unit}` : `-- ${unit}`)

/** The readable summary printed by `refmaster analyze FILE`. */
export function formatSummary(file: string, analysis: TrackAnalysis): string {
  const { loudness: l, stereo, bands, spectrum } = analysis
  const minutes = Math.floor(analysis.durationSeconds / 60)
  const seconds = (analysis.durationSeconds - minutes * 60).toFixed(1).padStart(4, '0')
  const lines = [
    `${file}`,
    `  ${analysis.channelCount === 1 ? 'mono' : 'stereo'}, ${analysis.sampleRateHz} Hz, ${minutes}:${seconds}`,
    '',
    'Loudness (ITU-R BS.1770-4, EBU R128)',
    `  integrated        ${level(l.integratedLufs, 'LUFS')}`,
    `  momentary max     ${level(l.momentaryMaxLufs, 'LUFS')}`,
    `  short-term max    ${level(l.shortTermMaxLufs, 'LUFS')}`,
    `  loudness range    ${level(l.loudnessRangeLu, 'LU')}`,
    `  true peak         ${level(l.truePeakDbtp, 'dBTP')}`,
    `  sample peak       ${level(l.samplePeakDbfs, 'dBFS')}`,
    `  PLR               ${level(l.plrDb, 'dB')}`,
    `  crest factor      ${level(l.crestFactorDb, 'dB')}`,
    '',
    'Stereo image',
    `  side/mid          ${level(stereo.sideMidDb, 'dB')}`,
    `  correlation       ${stereo.correlation.toFixed(2)}`,
    `  mono fold-down    ${level(stereo.monoFoldDownDb, 'dB')}`,
    '',
    'Band dynamics (loud part)        level   range   crest  transients/s  side/mid',
    ...bands.map((band) => {
      const name = `${Math.round(band.lowHz)}-${Math.round(band.highHz)} Hz`.padEnd(30)
      return `  ${name} ${band.levelDb.toFixed(1).padStart(6)}  ${band.shortTermRangeDb.toFixed(1).padStart(6)}  ${band.crestDb.toFixed(1).padStart(6)}  ${band.transientsPerSecond.toFixed(1).padStart(12)}  ${band.sideMidDb.toFixed(1).padStart(8)}`
    }),
    '',
    'Tonal balance, third octaves (dB relative to the mean of 31.5 Hz - 16 kHz)',
    ...tonalBalanceLines(spectrum.thirdOctave.frequenciesHz, spectrum.thirdOctave.totalDb),
    '',
  ]
  return lines.join('\n')
}

function tonalBalanceLines(frequenciesHz: number[], levelsDb: number[]): string[] {
  const mean = levelsDb.reduce((sum, x) => sum + x, 0) / Math.max(1, levelsDb.length)
  const cells = frequenciesHz.map((hz, i) => {
    const name = nominalBandName(hz)
    const relative = levelsDb[i] - mean
    return `${name.padStart(5)} ${relative >= 0 ? '+' : ''}${relative.toFixed(1)}`.padEnd(13)
  })
  const lines: string[] = []
  for (let i = 0; i < cells.length; i += 7) lines.push('  ' + cells.slice(i, i + 7).join(' '))
  return lines
}
