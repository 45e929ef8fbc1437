/** Minimal CSV reading and writing (RFC 4180 quoting) for the protocol's per-track tables. */

/** Parses CSV text with a header row into objects keyed by column name. */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') {
        quoted = false
      } else {
        field += ch
      }
    } else if (ch === '"') {
      quoted = true
    } else if (ch === ',') {
      record.push(field)
      field = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      record.push(field)
      records.push(record)
      record = []
      field = ''
    } else {
      field += ch
    }
  }
  if (field !== '' || record.length > 0) {
    record.push(field)
    records.push(record)
  }
  const [header, ...rows] = records.filter((r) => !(r.length === 1 && r[0] === ''))
  if (!header) return []
  return rows.map((r) => Object.fromEntries(header.map((name, i) => [name, r[i] ?? ''])))
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** Formats a cell as Python's csv module writes floats and ints (repr), with inf / nan spelled as Python does. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan'
    if (value === Infinity) return 'inf'
    if (value === -Infinity) return '-inf'
    return String(value)
  }
  return String(value)
}

/** CSV text of `rows` with the union of their keys as columns, in first-seen order (csv.DictWriter). */
export function formatCsv(rows: readonly Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  const lines = [columns.map(quote).join(',')]
  for (const row of rows) lines.push(columns.map((c) => quote(cell(row[c]))).join(','))
  return lines.join('\n') + '\n'
}
