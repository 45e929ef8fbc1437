/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal (pipes and CI logs stay clean).
 */
export interface ProgressBar {
  /** Shows `fraction` (0..1) done, with `label` naming the current stage. */
  update(fraction: number, label: string): void
  /** Clears the line. */
  done(): void
}

const BAR_WIDTH = 30

/** A progress bar for `title`; silent unless `stream` is a TTY. */
export function createProgressBar(title: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { update: () => {}, done: () => {} }
  return {
    update(fraction: number, label: string) {
      const clamped = Math.min(1, Math.max(0, fraction))
      const filled = Math.round(clamped * BAR_WIDTH)
      const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled)
      stream.write(`\r${title} [${bar}] ${String(Math.round(clamped * 100)).padStart(3)}% ${label}`.padEnd(80) + '\r')
    },
    done() {
      stream.write('\r' + ' '.repeat(80) + '\r')
    },
  }
}
