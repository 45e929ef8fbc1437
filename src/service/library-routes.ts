/**
 * The reference library over HTTP: built-in tracks and the user's, filed by genre (the genre profiles
 * follow it). A new track is checked and analysed on a worker; changes run one at a time in this
 * process, and under the library's lock across processes (src/library/lock.ts).
 */
import type { Router } from 'express'
import { RefmasterError } from '../errors.js'
import type { Library } from '../library/library.js'
import type { LibraryTrack } from '../library/manifest.js'
import type { ServiceConfig } from './config.js'
import type { DataPaths } from './files.js'
import type { JobQueue } from './queue.js'
import { asList, displayName, uploadHandlers } from './uploads.js'

/** Registers /genres and /library routes on the API router. */
export function registerLibraryRoutes(api: Router, context: { config: ServiceConfig; paths: DataPaths; queue: JobQueue; library: Library }): void {
  const { config, paths, queue, library } = context
  api.get('/genres', (_req, res) => {
    res.json({ genres: library.genres().map((g) => ({ name: g.name, trackCount: g.trackIds.length, summary: g.summary })) })
  })
  const trackView = ({ audioPath, profilePath, ...track }: LibraryTrack) => ({ ...track, audioUrl: `/api/library/${encodeURIComponent(track.id)}/audio` })
  let libraryChange: Promise<unknown> = Promise.resolve()
  /** Library changes run one at a time (each rewrites the manifest and the profile cache). */
  const serially = <T>(change: () => Promise<T>): Promise<T> => {
    const next = libraryChange.then(change, change)
    libraryChange = next.catch(() => {})
    return next
  }
  api.get('/library', (_req, res) => {
    res.json({ tracks: library.list().map(trackView) })
  })
  const upload = uploadHandlers(paths.uploads, config.maxUploadBytes, { files: 1 }, (parser) => parser.single('file'))
  api.post(
    '/library',
    ...upload,
    async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>
      if (!req.file) throw new RefmasterError('USAGE', "the form needs a file field 'file' (multipart/form-data)")
      const genre = asList(body.genre).pop()
      if (!genre) throw new RefmasterError('USAGE', "the form needs a 'genre' (an existing one, or a new name)")
      const name = displayName(req.file.originalname, 'track')
      await queue.probe(req.file.path, `track '${name}'`, true)
      const field = (key: string) => asList(body[key]).pop() || undefined
      const track = await serially(() => queue.libraryAdd({ file: req.file!.path, genre, title: field('title') ?? name.replace(/\.[^.]*$/, ''), artist: field('artist'), licence: field('licence'), source: field('source') }))
      res.status(201).json(trackView(track))
    },
  )
  api.delete('/library/:id', async (req, res) => {
    const track = await serially(async () => library.remove(req.params.id))
    res.json(trackView(track))
  })
  api.get('/library/:id/audio', (req, res) => {
    const track = library.list().find((t) => t.id === req.params.id)
    if (!track) throw new RefmasterError('NOT_FOUND', `no track '${req.params.id}' in the library`)
    res.sendFile(track.audioPath)
  })
}
