import { fourCc, viewOf } from './bytes.js'

/**
 * The chunk list shared by RIFF/WAVE (little-endian sizes) and IFF/AIFF (big-endian sizes): a 4-byte
 * ASCII id, a 32-bit size, the body, and a pad byte when the size is odd (EA IFF 85; Microsoft RIFF).
 */

/** One chunk as found in the file. */
export interface Chunk {
  /** Four-character id, e.g. 'fmt ', 'data', 'COMM', 'SSND'. */
  readonly id: string
  /** Byte offset of the chunk body. */
  readonly bodyOffset: number
  /** Body size the chunk header declares, in bytes. */
  readonly declaredBytes: number
  /** Body bytes actually present before the end of the file (less than declared when it is cut). */
  readonly availableBytes: number
}

/** The chunks of a file and whether it ends inside a chunk header or body. */
export interface ChunkList {
  readonly chunks: Chunk[]
  /** True when the file ends before the last chunk's declared end, or inside a chunk header. */
  readonly endsInsideChunk: boolean
}

/** Size of a chunk header: 4-byte id + 32-bit size. */
const CHUNK_HEADER_BYTES = 8

/**
 * Lists the chunks from `start` to the end of `bytes`. Stops at the first chunk that runs past the end
 * of the file (it is still listed, with `availableBytes` < `declaredBytes`).
 */
export function listChunks(bytes: Uint8Array, start: number, littleEndian: boolean): ChunkList {
  const view = viewOf(bytes)
  const chunks: Chunk[] = []
  let offset = start
  while (offset + CHUNK_HEADER_BYTES <= bytes.length) {
    const id = fourCc(bytes, offset)
    const declaredBytes = view.getUint32(offset + 4, littleEndian)
    const bodyOffset = offset + CHUNK_HEADER_BYTES
    const availableBytes = Math.min(declaredBytes, bytes.length - bodyOffset)
    chunks.push({ id, bodyOffset, declaredBytes, availableBytes })
    if (availableBytes < declaredBytes) return { chunks, endsInsideChunk: true }
    offset = bodyOffset + declaredBytes + (declaredBytes % 2)
  }
  // bytes left that cannot hold a chunk header: a header cut short (only matters when a needed chunk is missing)
  return { chunks, endsInsideChunk: offset < bytes.length }
}

/** The first chunk with this id, if any. */
export function findChunk(list: ChunkList, id: string): Chunk | undefined {
  return list.chunks.find((chunk) => chunk.id === id)
}
