import type { Command } from 'commander'
import { openLibrary } from '../library/library.js'
import type { LibraryTrack } from '../library/manifest.js'
import { createProgressBar } from './progress.js'

/** What `library list --json` shows of a track (paths absolute). */
function trackJson(track: LibraryTrack) {
  const { id, genre, origin, title, artist, licence, source, attribution, audioPath, licenceFile } = track
  return { id, genre, origin, title, artist, licence, source, attribution, audioPath, ...(licenceFile ? { licenceFile } : {}) }
}

function formatTracks(tracks: LibraryTrack[]): string {
  const header = ['id', 'genre', 'origin', 'title', 'artist', 'licence']
  const rows = tracks.map((t) => [t.id, t.genre, t.origin, t.title, t.artist, t.licence])
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)))
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n') + '\n'
}

/** Registers `refmaster library list|add|remove|rebuild`. */
export function registerLibrary(program: Command): void {
  const library = program
    .command('library')
    .description(`manage the reference library: built-in tracks plus your own (folder $REFMASTER_LIBRARY, default ./library)`)
  library
    .command('list')
    .description('list the tracks of the library')
    .option('--genre <genre>', 'only this genre')
    .option('--json', 'print the tracks as JSON')
    .action((options: { genre?: string; json?: boolean }) => {
      const tracks = openLibrary().list().filter((t) => !options.genre || t.genre === options.genre.toLowerCase())
      process.stdout.write(options.json ? JSON.stringify(tracks.map(trackJson), null, 2) + '\n' : formatTracks(tracks))
    })
  library
    .command('add')
    .description('copy a track into your library under a genre (a new name makes a new genre), analyse it, rebuild the profiles')
    .argument('<file>', 'audio file (WAV, AIFF, FLAC, MP3, Ogg Vorbis, Opus), at least 10 s at 44.1 kHz or more')
    .requiredOption('--genre <genre>', 'genre to file it under (lower-case words joined by hyphens)')
    .option('--title <title>', 'title (default: the file name)')
    .option('--artist <artist>', 'artist')
    .option('--licence <licence>', 'licence under which you may use it')
    .option('--source <source>', 'where it comes from')
    .action(async (file: string, options: { genre: string; title?: string; artist?: string; licence?: string; source?: string }) => {
      const progress = createProgressBar('library add')
      const track = await openLibrary().add({ file, ...options }, (fraction, stage) => progress.update(fraction, stage))
      progress.done()
      const lib = openLibrary()
      const count = lib.genre(track.genre).summary.trackCount
      process.stdout.write(`added ${track.id} to ${track.genre} (${count} track${count === 1 ? '' : 's'}); library ${lib.userDir}\n`)
    })
  library
    .command('remove')
    .description('remove a track from its genre (your own tracks are deleted, built-in ones hidden) and rebuild the profiles')
    .argument('<id>', 'track id (see `refmaster library list`)')
    .action((id: string) => {
      const track = openLibrary().remove(id)
      process.stdout.write(`removed ${track.id} from ${track.genre}${track.origin === 'builtin' ? ' (built-in: hidden in your library)' : ''}\n`)
    })
  library
    .command('rebuild')
    .description('analyse your tracks whose stored analysis is missing or out of date, and rebuild the genre profiles')
    .option('--reanalyse', 'analyse all of your tracks again')
    .action(async (options: { reanalyse?: boolean }) => {
      const progress = createProgressBar('library rebuild')
      const result = await openLibrary().rebuild({ reanalyse: options.reanalyse }, (done, total, id) => progress.update(total > 0 ? done / total : 1, id))
      progress.done()
      process.stdout.write(`analysed ${result.analysed.length} track${result.analysed.length === 1 ? '' : 's'}; ${result.genres.length} genres: ${result.genres.map((g) => `${g.name} (${g.trackIds.length})`).join(', ')}\n`)
    })
}
