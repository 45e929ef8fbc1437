// The A/B player: mix, master and reference previews (already loudness-matched by the server) play in
// sync from one clock; switching only moves gains, so it happens at the same position without a gap.
// "Listen as" puts a simulated playback system (the report's own curves, src/report/translation.ts)
// between the player and the speakers.

/** Gain ramp time constant when switching (s): short enough to feel instant, long enough not to click. */
const SWITCH_TIME_CONSTANT_S = 0.005
/** Start delay (s) so every source starts on the same sample. */
const START_DELAY_S = 0.03
/** Length of the simulated systems' linear-phase FIR (samples at 48 kHz: ~43 ms, resolution ~23 Hz). */
const SYSTEM_FIR_LENGTH = 2048

export class ABPlayer {
  constructor() {
    this.context = null
    this.buffers = {}
    this.kind = 'master'
    this.playing = false
    this.offsetS = 0
    this.startedAt = 0
    this.sources = []
    this.gains = {}
    this.system = null
    this.onEnded = () => {}
  }

  ensureContext() {
    if (!this.context) {
      this.context = new AudioContext()
      this.output = this.context.createGain()
      this.output.connect(this.context.destination)
    }
    return this.context
  }

  /** Decodes the previews ({ kind: ArrayBuffer }); keeps the position. */
  async load(encoded) {
    const context = this.ensureContext()
    for (const [kind, bytes] of Object.entries(encoded)) this.buffers[kind] = await context.decodeAudioData(bytes)
    if (this.playing) this.restart()
  }

  get duration() {
    return Math.max(0, ...Object.values(this.buffers).map((buffer) => buffer.duration))
  }

  get position() {
    if (!this.playing) return this.offsetS
    return Math.min(this.duration, this.offsetS + this.context.currentTime - this.startedAt)
  }

  has(kind) {
    return Boolean(this.buffers[kind])
  }

  play() {
    const context = this.ensureContext()
    if (context.state === 'suspended') context.resume()
    if (this.offsetS >= this.duration) this.offsetS = 0
    this.startSources()
    this.playing = true
  }

  pause() {
    this.offsetS = this.position
    this.stopSources()
    this.playing = false
  }

  toggle() {
    if (this.playing) this.pause()
    else this.play()
    return this.playing
  }

  seek(seconds) {
    this.offsetS = Math.max(0, Math.min(this.duration, seconds))
    if (this.playing) this.restart()
  }

  /** Hear `kind` (mix, master, reference) from the same position. */
  select(kind) {
    this.kind = kind
    if (!this.context) return
    for (const [name, gain] of Object.entries(this.gains)) gain.gain.setTargetAtTime(name === kind ? 1 : 0, this.context.currentTime, SWITCH_TIME_CONSTANT_S)
  }

  /** Plays through a simulated system ({ responseDb, monoBelowHz }), or as is (null). */
  setSystem(system) {
    this.system = system
    if (this.playing) this.restart()
  }

  restart() {
    this.offsetS = this.position
    this.stopSources()
    this.startSources()
  }

  startSources() {
    const context = this.context
    const bus = context.createGain()
    connectSystem(context, bus, this.output, this.system)
    const when = context.currentTime + START_DELAY_S
    this.gains = {}
    this.sources = Object.entries(this.buffers).map(([kind, buffer]) => {
      const source = context.createBufferSource()
      source.buffer = buffer
      const gain = context.createGain()
      gain.gain.value = kind === this.kind ? 1 : 0
      source.connect(gain).connect(bus)
      if (this.offsetS < buffer.duration) source.start(when, this.offsetS)
      this.gains[kind] = gain
      return source
    })
    this.bus = bus
    this.startedAt = when
    const longest = this.sources.reduce((a, b) => (a.buffer.duration >= b.buffer.duration ? a : b))
    longest.onended = () => {
      if (this.sources.includes(longest) && this.position >= this.duration - 0.05) {
        this.stopSources()
        this.playing = false
        this.offsetS = 0
        this.onEnded()
      }
    }
  }

  stopSources() {
    for (const source of this.sources) {
      source.onended = null
      try {
        source.stop()
      } catch {
        // never started (position past its end)
      }
      source.disconnect()
    }
    this.sources = []
    this.bus?.disconnect()
  }
}

/** dB of a (Hz, dB) response at `hz`: linear in log frequency, held at the ends (as translation.ts). */
export function responseAt(points, hz) {
  if (hz <= points[0][0]) return points[0][1]
  const last = points[points.length - 1]
  if (hz >= last[0]) return last[1]
  let i = 1
  while (points[i][0] < hz) i++
  const [f0, d0] = points[i - 1]
  const [f1, d1] = points[i]
  return d0 + ((d1 - d0) * Math.log(hz / f0)) / Math.log(f1 / f0)
}

/** A linear-phase FIR with the magnitude response `points` (frequency sampling, Hann-windowed). */
export function systemImpulse(points, sampleRateHz, length = SYSTEM_FIR_LENGTH) {
  const half = length / 2
  const magnitude = new Float64Array(half + 1)
  for (let k = 0; k <= half; k++) magnitude[k] = Math.pow(10, responseAt(points, Math.max(1, (k * sampleRateHz) / length)) / 20)
  const impulse = new Float32Array(length)
  for (let n = 0; n < length; n++) {
    // Zero-phase inverse DFT of a real, even spectrum, shifted by half the length (linear phase).
    const t = n - half
    let sum = magnitude[0] + magnitude[half] * Math.cos(Math.PI * t)
    for (let k = 1; k < half; k++) sum += 2 * magnitude[k] * Math.cos((2 * Math.PI * k * t) / length)
    const window = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length)
    impulse[n] = (sum / length) * window
  }
  return impulse
}

const impulseCache = new Map()

/** Routes `input` to `output` through `system`: its response, summed to mono where it plays mono. */
function connectSystem(context, input, output, system) {
  if (!system) {
    input.connect(output)
    return
  }
  const key = `${system.name}@${context.sampleRate}`
  if (!impulseCache.has(key)) impulseCache.set(key, systemImpulse(system.responseDb, context.sampleRate))
  const impulse = impulseCache.get(key)
  const buffer = context.createBuffer(1, impulse.length, context.sampleRate)
  buffer.copyToChannel(impulse, 0)
  const convolver = context.createConvolver()
  convolver.normalize = false
  convolver.buffer = buffer
  convolver.connect(output)
  // monoBelowHz: null (JSON for Infinity) = a mono speaker; 0 = stereo; else mono below that frequency.
  if (system.monoBelowHz === null) {
    const mono = context.createGain()
    mono.channelCount = 1
    mono.channelCountMode = 'explicit'
    mono.channelInterpretation = 'speakers'
    input.connect(mono).connect(convolver)
  } else if (system.monoBelowHz > 0) {
    const low = context.createBiquadFilter()
    low.type = 'lowpass'
    low.frequency.value = system.monoBelowHz
    low.Q.value = Math.SQRT1_2
    const lowMono = context.createGain()
    lowMono.channelCount = 1
    lowMono.channelCountMode = 'explicit'
    const high = context.createBiquadFilter()
    high.type = 'highpass'
    high.frequency.value = system.monoBelowHz
    high.Q.value = Math.SQRT1_2
    input.connect(low).connect(lowMono).connect(convolver)
    input.connect(high).connect(convolver)
  } else {
    input.connect(convolver)
  }
}
