/** refmaster's library API. */
export type { Audio } from './audio/audio.js'
export { RefmasterError, ERROR_CATALOGUE } from './errors.js'
export type { ErrorCode } from './errors.js'
export { openLibrary } from './library/library.js'
export type { Library, AddTrackRequest } from './library/library.js'
export type { GenreProfile } from './library/genre-profiles.js'
export type { GenreSummary } from './library/summary.js'
export type { LibraryTrack } from './library/manifest.js'
