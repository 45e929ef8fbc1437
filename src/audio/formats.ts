import { extname } from 'node:path'
import { RefmasterError } from '../errors.js'

/**
 * The output formats refmaster writes, declared once. `wav16`/`flac16` are TPDF-dithered to 16 bits,
 * `wav24`/`flac24` rounded to 24 bits, `wav32f` is IEEE float, `mp3` is 320 kbit/s CBR.
 */
export const OUTPUT_FORMATS = ['wav16', 'wav24', 'wav32f', 'flac16', 'flac24', 'mp3'] as const

/** One of `OUTPUT_FORMATS`. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** The format chosen for each output file extension (lower case, with the dot). */
export const FORMAT_BY_EXTENSION: Readonly<Record<string, OutputFormat>> = {
  '.wav': 'wav24',
  '.flac': 'flac24',
  '.mp3': 'mp3',
}

/** True when `value` names an output format. */
export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value)
}

/**
 * The default output format for a path's extension (".wav" -> wav24, ".flac" -> flac24, ".mp3" -> mp3,
 * case-insensitive). Throws USAGE naming the extension when there is none or it is not one we write.
 */
export function formatFromExtension(path: string): OutputFormat {
  const extension = extname(path).toLowerCase()
  const known = Object.keys(FORMAT_BY_EXTENSION).join(', ')
  if (extension === '') {
    throw new RefmasterError('USAGE', `output path '${path}' has no extension; use one of ${known}`)
  }
  const format = FORMAT_BY_EXTENSION[extension]
  if (format === undefined) {
    throw new RefmasterError('USAGE', `output extension '${extension}' is not supported; use one of ${known}`)
  }
  return format
}
