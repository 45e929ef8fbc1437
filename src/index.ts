/** refmaster's library API. */
export type { Audio } from './audio/audio.js'
export { RefmasterError, ERROR_CATALOGUE } from './errors.js'
export type { ErrorCode } from './errors.js'
