// Spectrum plots with uPlot: the tonal balance of mix, reference and master (third octaves, mean level
// removed, from the report's measurements) and the matching EQ curve applied (mid and side).
import uPlot from '/vendor/uPlot.esm.js'

const COLOURS = { mix: '#8a94a3', master: '#1f6feb', reference: '#d97706', side: '#7c3aed' }
const PLOT_HEIGHT_PX = 240
const AUDIBLE_RANGE_HZ = [20, 20000]

function hzLabel(hz) {
  return hz >= 1000 ? `${+(hz / 1000).toFixed(1)}k` : `${Math.round(hz)}`
}

function options(container, series, yLabel) {
  return {
    width: Math.max(280, container.clientWidth),
    height: PLOT_HEIGHT_PX,
    scales: { x: { time: false, distr: 3, range: AUDIBLE_RANGE_HZ }, y: { auto: true } },
    axes: [
      // uPlot's log axis hides crowded ticks by passing null for them.
      { label: 'Hz', values: (_, ticks) => ticks.map((hz) => (hz == null ? '' : hzLabel(hz))) },
      { label: yLabel, size: 50 },
    ],
    series: [{ label: 'Hz', value: (_, hz) => (hz == null ? '' : hzLabel(hz)) }, ...series],
    legend: { live: true },
  }
}

const plots = new Map()

function draw(container, opts, data) {
  plots.get(container)?.destroy()
  container.replaceChildren()
  const plot = new uPlot(opts, data, container)
  plots.set(container, plot)
  return plot
}

/** The tonal balance overlay; `measurements` is the report's { before, after, reference }. */
export function drawSpectrum(container, measurements) {
  const x = measurements.after.tonalBalance.frequenciesHz
  const line = (label, stroke, m) => ({ label, stroke, width: 2, value: (_, v) => (v == null ? '' : `${v.toFixed(1)} dB`), data: m.tonalBalance.levelDb })
  const lines = [line('mix', COLOURS.mix, measurements.before), line('master', COLOURS.master, measurements.after)]
  if (measurements.reference) lines.push(line('reference', COLOURS.reference, measurements.reference))
  return draw(container, options(container, lines.map(({ data, ...s }) => s), 'dB (relative)'), [x, ...lines.map((l) => l.data)])
}

/** The matching EQ curve of the settings applied (mid and side, dB). */
export function drawEqCurve(container, curve) {
  const series = [
    { label: 'mid', stroke: COLOURS.master, width: 2, value: (_, v) => (v == null ? '' : `${v.toFixed(2)} dB`) },
    { label: 'side', stroke: COLOURS.side, width: 1.5, dash: [6, 4], value: (_, v) => (v == null ? '' : `${v.toFixed(2)} dB`) },
  ]
  return draw(container, options(container, series, 'dB'), [curve.frequenciesHz, curve.midDb, curve.sideDb])
}

/** Keeps the plots as wide as their containers. */
export function resizePlots() {
  for (const [container, plot] of plots) plot.setSize({ width: Math.max(280, container.clientWidth), height: PLOT_HEIGHT_PX })
}
