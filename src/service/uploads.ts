/**
 * Multipart uploads (multer 2): each request's files land in a folder of its own under DATA_DIR/uploads,
 * under names of our own (never the client's), and the folder is removed before the answer goes out
 * (and, as a backstop, when the connection closes), whatever happened.
 */
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import multer from 'multer'
import { RefmasterError } from '../errors.js'
import { newId } from './files.js'

/** Form fields besides the files (multer refuses others beyond these counts). */
const MAX_FORM_FIELDS = 64
const MAX_FIELD_BYTES = 1024

type UploadRequest = Request & { uploadDir: string }

/** A client's file name, safe to show and to use in a Content-Disposition header (never as a path). */
export function displayName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? ''
  const clean = base.replace(/[^\p{L}\p{N} ._()+-]/gu, '_').slice(0, 120).trim()
  return clean === '' || /^\.+$/.test(clean) ? fallback : clean
}

/** A form field as a list (repeated fields arrive as arrays). */
export const asList = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)])

/** An upload that multer or busboy refused: too large (413) or malformed (400). */
export function uploadError(error: unknown, maxUploadBytes: number): RefmasterError {
  if (error instanceof multer.MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE') return new RefmasterError('TOO_LARGE', `the file in field '${error.field}' is larger than the upload limit of ${Math.round(maxUploadBytes / 1024 / 1024)} MB`)
    if (error.code === 'LIMIT_UNEXPECTED_FILE') return new RefmasterError('USAGE', `unexpected file field '${error.field}' (files go in 'mix' and 'reference')`)
    return new RefmasterError('USAGE', `malformed upload: ${error.message}`)
  }
  if (error instanceof RefmasterError) return error
  return new RefmasterError('USAGE', `malformed upload: ${error instanceof Error ? error.message : String(error)}`)
}

/**
 * The handlers that take a multipart upload of at most `files` files into the request's own folder:
 * `fields` picks the file fields from the multer instance (`.single`, `.fields`).
 */
export function uploadHandlers(uploadsDir: string, maxUploadBytes: number, limits: { files: number }, fields: (parser: multer.Multer) => RequestHandler): RequestHandler[] {
  const folder = (req: Request, res: Response, next: NextFunction) => {
    const uploadDir = join(uploadsDir, newId())
    mkdirSync(uploadDir)
    ;(req as UploadRequest).uploadDir = uploadDir
    const remove = () => rmSync(uploadDir, { recursive: true, force: true })
    res.on('close', remove)
    const json = res.json.bind(res)
    res.json = (body) => {
      remove()
      return json(body)
    }
    next()
  }
  const storage = multer.diskStorage({
    destination: (req, _file, callback) => callback(null, (req as UploadRequest).uploadDir),
    filename: (_req, _file, callback) => callback(null, newId()),
  })
  const parse = fields(multer({ storage, limits: { fileSize: maxUploadBytes, files: limits.files, fields: MAX_FORM_FIELDS, fieldSize: MAX_FIELD_BYTES } }))
  return [folder, (req, res, next) => parse(req, res, (error?: unknown) => next(error === undefined ? undefined : uploadError(error, maxUploadBytes)))]
}
