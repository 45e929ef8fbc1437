import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from 'commander'
import { openLibrary } from '../library/library.js'
import { USER_MANIFEST_FILE } from '../library/manifest.js'
import type { GenreProfile } from '../library/genre-profiles.js'

const signed = (value: number, digits = 1) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '--')
const plain = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '--')

/** The table `refmaster genres` prints: loudness, dynamics, width and tonal balance per genre. */
export function formatGenres(genres: GenreProfile[], libraryNote: string): string {
  const header = ['genre', 'tracks', 'LUFS', 'LRA LU', 'PLR dB', 'S/M dB', 'low dB', 'mid dB', 'high dB', 'tilt dB/oct', 'spread dB']
  const rows = genres.map(({ name, summary: s }) => [
    name,
    String(s.trackCount),
    plain(s.integratedLufs),
    plain(s.loudnessRangeLu),
    plain(s.plrDb),
    plain(s.sideMidDb),
    signed(s.lowDb),
    signed(s.midDb),
    signed(s.highDb),
    signed(s.tiltDbPerOctave, 2),
    plain(s.tonalSpreadDb),
  ])
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)))
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()
  return [
    line(header),
    ...rows.map(line),
    '',
    'Medians over each genre\'s tracks. S/M: side/mid energy (width). low/mid/high: mean third-octave level of',
    '31.5-160 Hz, 200 Hz-2 kHz and 2.5-16 kHz relative to the mean over 31.5 Hz-16 kHz. tilt: slope of the',
    'third-octave levels. spread: how far the tracks\' tonal balance strays from the genre\'s (median abs. deviation).',
    libraryNote,
  ].join('\n') + '\n'
}

/** Registers `refmaster genres [--json]`. */
export function registerGenres(program: Command): void {
  program
    .command('genres')
    .description('list the genre profiles of the reference library with their loudness and tonal summary')
    .option('--json', 'print the genres as JSON')
    .action((options: { json?: boolean }) => {
      const library = openLibrary()
      const genres = library.genres()
      if (options.json) {
        const out = { builtinLibrary: library.builtinDir, userLibrary: library.userDir, genres: genres.map(({ name, trackIds, summary }) => ({ name, trackIds, summary })) }
        process.stdout.write(JSON.stringify(out, null, 2) + '\n')
      } else {
        process.stdout.write(formatGenres(genres, `Library: built-in ${library.builtinDir}; user ${library.userDir}${existsSync(join(library.userDir, USER_MANIFEST_FILE)) ? '' : ' (empty)'} (refmaster library --help).`))
      }
    })
}
