// The mastering page: choose a mix, references (or genres) and a target; follow the job; listen A/B,
// read the meters and reasons, adjust strengths and render again; download.
import WaveSurfer from '/vendor/wavesurfer.esm.js'
import { api, ApiError, upload, withToken } from './api.js'
import { $, element, showError, wireDrop } from './dom.js'
import { ABPlayer } from './player.js'
import { drawEqCurve, drawSpectrum, resizePlots } from './plots.js'


const FORMAT_LABELS = { wav24: 'WAV 24-bit', wav16: 'WAV 16-bit', wav32f: 'WAV 32-bit float', flac24: 'FLAC 24-bit', flac16: 'FLAC 16-bit', mp3: 'MP3 320 kbps' }
const STAGE_NAMES = { eq: 'EQ', dynamics: 'dynamics', width: 'width', saturation: 'saturation', loudness: 'loudness', reference: 'reference' }

const state = {
  mix: null,
  references: [],
  targets: [],
  systems: [],
  jobId: null,
  job: null,
  shownVersion: null,
  events: null,
}
const player = new ABPlayer()
let waveform = null

// ---------- errors ----------

function clearError() {
  $('#error').hidden = true
}

// ---------- the form ----------

function formatSize(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`
}

function setMix(file) {
  state.mix = file
  $('#mix-name').textContent = `${file.name} (${formatSize(file.size)})`
  $('#mix-drop').classList.add('chosen')
  clearError()
}

function addReferences(files) {
  for (const file of files) state.references.push({ file, weight: 1 })
  renderReferences()
  clearError()
}

function renderReferences() {
  const list = $('#reference-list')
  list.replaceChildren(
    ...state.references.map((reference, index) => {
      const weight = element('input', { type: 'number', min: '0.1', step: '0.1', value: String(reference.weight), title: 'weight in the blend' })
      weight.setAttribute('aria-label', `weight of ${reference.file.name}`)
      weight.addEventListener('change', () => (reference.weight = Number(weight.value) > 0 ? Number(weight.value) : 1))
      const remove = element('button', { type: 'button', textContent: 'Remove' })
      remove.setAttribute('aria-label', `remove ${reference.file.name}`)
      remove.addEventListener('click', () => {
        state.references.splice(index, 1)
        renderReferences()
      })
      return element('li', {}, element('span', { className: 'name', textContent: reference.file.name }), element('label', { textContent: 'weight ' }, weight), remove)
    }),
  )
  updateTargetNote()
}

function updateTargetNote() {
  const select = $('#target')
  const target = state.targets.find((t) => t.name === select.value)
  const references = state.references.length + selectedGenres().length
  if (!target) return
  const loudness = target.integratedLufs === null ? "the reference's loudness" : `${target.integratedLufs} LUFS`
  $('#target-note').textContent = `${target.label}: ${loudness}, true peak at most ${target.truePeakCeilingDbtp} dBTP.` + (target.integratedLufs === null && references === 0 ? ' Add a reference for this target.' : '')
}

function selectedGenres() {
  return [...document.querySelectorAll('#genres input[type="checkbox"]:checked')].map((box) => ({ name: box.value, weight: Number(box.closest('label').querySelector('input[type="number"]')?.value) || 1 }))
}

async function loadChoices() {
  const { targets, systems } = await api('/api/targets')
  state.targets = targets
  state.systems = systems
  $('#target').replaceChildren(...targets.map((t) => element('option', { value: t.name, textContent: t.integratedLufs === null ? `${t.label}` : `${t.label} (${t.integratedLufs} LUFS)` })))
  $('#target').value = 'reference'
  updateTargetNote()
  $('#system').append(...systems.map((s) => element('option', { value: s.name, textContent: s.name })))
  const { genres } = await api('/api/genres')
  const box = $('#genres')
  if (genres.length === 0) {
    box.replaceChildren(element('p', { className: 'note', textContent: 'No genre profiles in the library yet: use a reference track.' }))
  } else {
    box.replaceChildren(
      element('span', { textContent: 'or genres:' }),
      ...genres.map((genre) => {
        const box = element('input', { type: 'checkbox', value: genre.name })
        // A genre is no loudness to match: aim at a platform instead of "the reference".
        box.addEventListener('change', () => {
          if (box.checked && state.references.length === 0 && $('#target').value === 'reference') $('#target').value = 'streaming'
          updateTargetNote()
        })
        const weight = element('input', { type: 'number', min: '0.1', step: '0.1', value: '1', title: 'weight' })
        weight.setAttribute('aria-label', `weight of ${genre.name}`)
        return element('label', {}, box, ` ${genre.name} `, weight)
      }),
    )
  }
}

async function submitJob(event) {
  event.preventDefault()
  clearError()
  if (!state.mix) return showError(new Error('Choose your mix first.'))
  const target = $('#target').value
  const genres = selectedGenres()
  if (target === 'reference' && state.references.length === 0 && genres.length === 0) {
    return showError(new Error('Add a reference track (or pick a playback target such as streaming).'))
  }
  const form = new FormData()
  form.append('mix', state.mix, state.mix.name)
  for (const reference of state.references) {
    form.append('reference', reference.file, reference.file.name)
    form.append('referenceWeight', String(reference.weight))
  }
  for (const genre of genres) {
    form.append('genre', genre.name)
    form.append('genreWeight', String(genre.weight))
  }
  form.append('target', target)
  for (const box of document.querySelectorAll('input[name="format"]:checked')) form.append('format', box.value)
  const button = $('#submit')
  button.disabled = true
  $('#upload').hidden = false
  try {
    const { id } = await upload('/api/jobs', form, (fraction) => {
      $('#upload-progress').value = fraction
      $('#upload-text').textContent = fraction < 1 ? `Uploading ${Math.round(fraction * 100)} %` : 'Checking the files'
    })
    history.replaceState(null, '', `#job=${id}`)
    await followJob(id)
  } catch (error) {
    showError(error)
  } finally {
    button.disabled = false
    $('#upload').hidden = true
  }
}

// ---------- following a job ----------

async function followJob(id) {
  state.jobId = id
  const job = await api(`/api/jobs/${id}`)
  showJob(job)
  if (['queued', 'running'].includes(job.state)) listen(id)
}

function listen(id) {
  state.events?.close()
  const events = new EventSource(withToken(`/api/jobs/${id}/events`))
  state.events = events
  events.addEventListener('progress', (event) => showProgress(JSON.parse(event.data)))
  events.addEventListener('job', (event) => {
    const job = JSON.parse(event.data)
    showJob(job)
    if (!['queued', 'running'].includes(job.state)) events.close()
  })
  events.addEventListener('deleted', () => events.close())
  events.onerror = () => {
    // The stream ends with the job; a dropped connection is picked up again by polling once.
    if (events.readyState === EventSource.CLOSED && state.job && ['queued', 'running'].includes(state.job.state)) setTimeout(() => followJob(id).catch(showError), 1000)
  }
}

function showProgress(progress) {
  $('#job').hidden = false
  $('#job-progress').value = progress.progress
  $('#job-stage').textContent = `${progress.state === 'queued' ? 'Waiting for a free worker' : capitalise(progress.stage)} (${Math.round(progress.progress * 100)} %)`
}

function capitalise(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text
}

function showJob(job) {
  state.job = job
  $('#job-name').textContent = job.mix.name
  const busy = ['queued', 'running'].includes(job.state)
  if (busy) {
    $('#job-form').hidden = job.versions.length === 1
    showProgress(job)
    $('#rerender').disabled = true
    return
  }
  $('#job').hidden = true
  $('#rerender').disabled = false
  if (job.state === 'failed') showError(new ApiError(0, job.error.code, `The master could not be made: ${job.error.message}`))
  if (job.state === 'cancelled' && job.versions.length === 1) {
    $('#job-form').hidden = false
    return
  }
  const done = [...job.versions].reverse().find((v) => v.state === 'done')
  if (!done) {
    $('#job-form').hidden = false
    return
  }
  $('#job-form').hidden = true
  $('#results').hidden = false
  renderVersions(job)
  if (state.shownVersion !== done.id) showVersion(done.id).catch(showError)
}

async function showVersion(n) {
  const job = state.job
  const version = job.versions.find((v) => v.id === n)
  state.shownVersion = n
  renderVersions(job)
  const view = await api(version.view)
  const report = view.report
  renderMeters(report)
  renderReasons(report)
  drawSpectrum($('#spectrum'), report.measurements)
  drawEqCurve($('#eq-curve'), report.settings.matchingEq.curve)
  setSliders(report.strengths)
  $('#level-note').textContent = `All three play at ${view.levelLufs.toFixed(1)} LUFS: mix ${signed(view.mix.gainDb)} dB, master ${signed(view.master.gainDb)} dB${view.reference ? `, reference ${signed(view.reference.gainDb)} dB` : ''} (the louder ones are turned down; nothing is raised).`
  await loadAudio(version, view)
}

function signed(db) {
  return `${db > 0 ? '+' : db < 0 ? '−' : '±'}${Math.abs(db).toFixed(1)}`
}

async function loadAudio(version, view) {
  const fetchPreview = async (url) => (await api(url, { raw: true })).arrayBuffer()
  const kinds = Object.keys(version.previews)
  const encoded = {}
  await Promise.all(kinds.map(async (kind) => (encoded[kind] = await fetchPreview(version.previews[kind]))))
  await player.load(encoded)
  document.querySelector('.ab button[data-kind="reference"]').hidden = !player.has('reference')
  drawWaveform(view)
  selectKind(player.kind)
}

function drawWaveform(view) {
  const peaks = view[player.kind]?.peaks ?? view.master.peaks
  const duration = player.duration
  if (!waveform) {
    waveform = WaveSurfer.create({ container: '#waveform', height: 96, waveColor: '#b7c0cc', progressColor: '#1f6feb', cursorColor: '#1d232b', peaks: [peaks], duration, interact: true })
    waveform.on('interaction', (time) => player.seek(time))
  } else {
    waveform.load('', [peaks], duration)
  }
  state.view = view
}

// ---------- player ----------

function selectKind(kind) {
  if (kind === 'reference' && !player.has('reference')) return
  player.select(kind)
  for (const button of document.querySelectorAll('.ab button')) button.setAttribute('aria-pressed', String(button.dataset.kind === kind))
  if (waveform && state.view) {
    const view = state.view[kind] ?? state.view.master
    waveform.load('', [view.peaks], player.duration).then(() => waveform.setTime(player.position)).catch(() => {})
  }
}

function togglePlay() {
  const playing = player.toggle()
  $('#play').textContent = ''
  $('#play').append(playing ? '❚❚ Pause ' : '▶ Play ', element('kbd', { textContent: 'Space' }))
  $('#play').setAttribute('aria-label', playing ? 'pause' : 'play')
}

function clock(seconds) {
  return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`
}

function tick() {
  if (player.duration > 0) {
    $('#time').textContent = `${clock(player.position)} / ${clock(player.duration)}`
    if (player.playing && waveform) waveform.setTime(player.position)
  }
  requestAnimationFrame(tick)
}

player.onEnded = () => {
  $('#play').textContent = ''
  $('#play').append('▶ Play ', element('kbd', { textContent: 'Space' }))
}

// ---------- report ----------

function number(value, digits = 1) {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits)
}

function renderMeters(report) {
  const m = report.measurements
  const columns = [['mix', m.before], ['master', m.after], ...(m.reference ? [['reference', m.reference]] : [])]
  const rows = [
    ['Loudness (LUFS)', (x) => number(x.integratedLufs)],
    ['True peak (dBTP)', (x) => number(x.truePeakDbtp)],
    ['Loudness range (LU)', (x) => number(x.loudnessRangeLu)],
    ['PLR (dB)', (x) => number(x.plrDb)],
    ['Width: side/mid (dB)', (x) => number(x.sideMidDb)],
    ['Correlation', (x) => number(x.correlation, 2)],
  ]
  $('#meters').replaceChildren(
    element('thead', {}, element('tr', {}, element('th', { textContent: '' }), ...columns.map(([name]) => element('th', { scope: 'col', textContent: name })))),
    element('tbody', {}, ...rows.map(([label, value]) => element('tr', {}, element('th', { scope: 'row', textContent: label }), ...columns.map(([, data]) => element('td', { textContent: value(data) }))))),
  )
  $('#platforms').replaceChildren(
    element('thead', {}, element('tr', {}, element('th', { scope: 'col', textContent: 'platform' }), element('th', { scope: 'col', textContent: 'plays the master at' }))),
    element('tbody', {}, ...report.platforms.map((p) => element('tr', {}, element('th', { scope: 'row', textContent: p.platform }), element('td', { textContent: `${signed(p.gainDb)} dB` })))),
  )
}

function renderReasons(report) {
  const source = report.settingsSource
  $('#settings-source').textContent = source?.source === 'model' ? `Settings predicted by the model '${source.model}' (library page, "Settings models").` : 'Settings computed by the analytic matcher.'
  $('#reasons').replaceChildren(...report.reasons.map((r) => element('li', {}, element('span', { className: 'stage', textContent: `${STAGE_NAMES[r.stage] ?? r.stage}: ` }), r.text)))
  $('#warnings').replaceChildren(...report.warnings.map((w) => element('li', { textContent: `Warning: ${w}` })))
  $('#delivery').replaceChildren(...report.deliveryCheck.map((line) => element('li', { className: line.pass ? 'pass' : 'fail', textContent: `${line.check}: ${line.measured === null ? '–' : number(line.measured, 2)} (${line.limit}) ${line.pass ? 'pass' : 'FAIL'}` })))
}

// ---------- versions, adjusting, downloads ----------

function renderVersions(job) {
  $('#versions').replaceChildren(
    ...job.versions.map((v) => {
      const s = v.strengths
      const described = ['eq', 'dynamics', 'width', 'intensity'].map((k) => `${k} ${(s[k] ?? 1).toFixed(2)}`).join(', ')
      const item = element('li', { className: v.id === state.shownVersion ? 'selected' : '' })
      const title = v.state === 'done' ? element('button', { type: 'button', textContent: `Version ${v.id}` }) : element('span', { textContent: `Version ${v.id} (${v.state})` })
      if (v.state === 'done') title.addEventListener('click', () => showVersion(v.id).catch(showError))
      const links = element('span', { className: 'links' }, ...Object.entries(v.downloads).map(([format, url]) => element('a', { href: withToken(url), textContent: `⬇ ${FORMAT_LABELS[format] ?? format}`, download: '' })))
      item.append(title, ` ${described} `, links)
      return item
    }),
  )
}

function setSliders(strengths) {
  for (const input of document.querySelectorAll('#adjust input[type="range"]')) {
    const key = { eqStrength: 'eq', dynamicsStrength: 'dynamics', widthStrength: 'width', intensity: 'intensity' }[input.name]
    input.value = String(strengths[key])
    input.nextElementSibling.value = Number(input.value).toFixed(2)
  }
}

async function rerender(event) {
  event.preventDefault()
  clearError()
  const body = {}
  for (const input of document.querySelectorAll('#adjust input[type="range"]')) body[input.name] = Number(input.value)
  try {
    $('#rerender').disabled = true
    await api(`/api/jobs/${state.jobId}/render`, { method: 'POST', json: body })
    const job = await api(`/api/jobs/${state.jobId}`)
    showJob(job)
    listen(state.jobId)
  } catch (error) {
    $('#rerender').disabled = false
    showError(error)
  }
}

// ---------- start ----------

function onKey(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || $('#results').hidden) return
  const target = event.target
  if (target.matches('input:not([type="range"]):not([type="checkbox"]), select, textarea')) return
  const key = event.key.toLowerCase()
  if (key === ' ') {
    event.preventDefault()
    togglePlay()
  } else if (key === 'a') selectKind('mix')
  else if (key === 'b') selectKind('master')
  else if (key === 'r') selectKind('reference')
  else if (key === 'arrowleft' && !target.matches('input')) player.seek(player.position - 5)
  else if (key === 'arrowright' && !target.matches('input')) player.seek(player.position + 5)
}

function init() {
  wireDrop($('#mix-drop'), $('#mix-input'), (files) => setMix(files[0]))
  wireDrop($('#reference-drop'), $('#reference-input'), addReferences)
  $('#target').addEventListener('change', updateTargetNote)
  $('#job-form').addEventListener('submit', submitJob)
  $('#adjust').addEventListener('submit', rerender)
  for (const input of document.querySelectorAll('#adjust input[type="range"]')) input.addEventListener('input', () => (input.nextElementSibling.value = Number(input.value).toFixed(2)))
  for (const button of document.querySelectorAll('.ab button')) button.addEventListener('click', () => selectKind(button.dataset.kind))
  $('#play').addEventListener('click', togglePlay)
  $('#system').addEventListener('change', () => player.setSystem(state.systems.find((s) => s.name === $('#system').value) ?? null))
  $('#cancel').addEventListener('click', () => api(`/api/jobs/${state.jobId}`, { method: 'DELETE' }).then(showJob).catch(showError))
  $('#new-job').addEventListener('click', () => {
    history.replaceState(null, '', '/')
    location.reload()
  })
  document.addEventListener('keydown', onKey)
  window.addEventListener('resize', resizePlots)
  requestAnimationFrame(tick)
  loadChoices().catch(showError)
  const resumed = /#job=([A-Za-z0-9_-]{22})/.exec(location.hash)
  if (resumed) followJob(resumed[1]).catch(showError)
}

init()
