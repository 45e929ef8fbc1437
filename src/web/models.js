// The library page's settings models: the sources (analytic matcher, shipped model, trained ones) with
// their held-out scores, retraining on the library with progress, activating and deleting.
import { api } from './api.js'
import { $, element, showError } from './dom.js'

/** The metrics the activation gate compares (training/report.ts GATE_METRICS), in the order shown. */
const GATE_METRICS = ['mrstft', 'd_plr_db', 'tbe_db', 'd_lufs']
/** How often a running training run is read again (ms). */
const POLL_MS = 1000

let polling = null

function scoreCell(model, metric) {
  const c = model.comparison
  if (!c) return element('td', { textContent: '–' })
  const change = 100 * c.improvement[metric]
  const cell = element('td', { textContent: `${c.model[metric].toFixed(3)} vs ${c.previous[metric].toFixed(3)} (${change >= 0 ? '−' : '+'}${Math.abs(change).toFixed(0)} %)` })
  cell.className = c.model[metric] <= c.previous[metric] ? 'better' : 'worse'
  return cell
}

function stateText(model) {
  if (model.state === 'running' || model.state === 'queued') return `${model.state}: ${model.stage}`
  if (model.state === 'failed') return `failed: ${model.error?.message ?? ''}`
  return model.state
}

async function activate(model) {
  // The page asks, with the server's reason, before the server would refuse: a model no better than the
  // active settings needs a yes.
  const reason = model.refusal
  if (reason && !confirm(`${reason}.\n\nActivate "${model.name}" anyway?`)) return
  try {
    await api(`/api/models/${encodeURIComponent(model.id)}/activate`, { method: 'POST', json: { force: reason !== null } })
    await refreshModels()
  } catch (error) {
    showError(error)
  }
}

async function remove(model) {
  const running = model.state === 'queued' || model.state === 'running'
  if (!confirm(running ? `Cancel training "${model.name}"?` : `Delete model "${model.name}" and its files?`)) return
  try {
    await api(`/api/models/${encodeURIComponent(model.id)}`, { method: 'DELETE' })
    await refreshModels()
  } catch (error) {
    showError(error)
  }
}

function actions(model) {
  const cell = element('td', { className: 'actions' })
  if (model.active) cell.append(element('strong', { textContent: 'active' }))
  else if (model.state === 'done') {
    const button = element('button', { type: 'button', textContent: 'Activate' })
    button.setAttribute('aria-label', `activate ${model.name}`)
    button.addEventListener('click', () => activate(model))
    cell.append(button)
  }
  if (model.kind === 'trained' && !model.active) {
    const running = model.state === 'queued' || model.state === 'running'
    const button = element('button', { type: 'button', textContent: running ? 'Cancel' : 'Delete' })
    button.setAttribute('aria-label', `${running ? 'cancel' : 'delete'} ${model.name}`)
    button.addEventListener('click', () => remove(model))
    cell.append(button)
  }
  return cell
}

function showTraining(run) {
  $('#training').hidden = !run
  $('#train').disabled = Boolean(run)
  if (!run) return
  $('#training-progress').value = run.progress
  const d = run.detail
  const losses = d ? ` · loss ${d.loss.toFixed(4)}, held-out loss ${d.heldOutLoss.toFixed(4)}` : ''
  $('#training-text').textContent = `Training "${run.name}": ${run.stage}${losses} (${Math.round(100 * run.progress)} %)`
}

export async function refreshModels() {
  const { models } = await api('/api/models')
  const header = ['model', 'state', ...GATE_METRICS.map((m) => `${m}: model vs baseline`), '']
  $('#model-table').replaceChildren(
    element('thead', {}, element('tr', {}, ...header.map((label) => element('th', { scope: 'col', textContent: label })))),
    element(
      'tbody',
      {},
      ...models.map((model) =>
        element(
          'tr',
          { className: model.active ? 'active' : '' },
          element('th', { scope: 'row', textContent: model.name, title: model.comparison ? `measured against ${model.comparison.baseline} on ${model.comparison.examples} held-out examples` : '' }),
          element('td', { textContent: stateText(model) }),
          ...GATE_METRICS.map((metric) => scoreCell(model, metric)),
          actions(model),
        ),
      ),
    ),
  )
  const run = models.find((m) => m.state === 'queued' || m.state === 'running')
  showTraining(run)
  clearTimeout(polling)
  if (run) polling = setTimeout(() => refreshModels().catch(showError), POLL_MS)
}

async function showGenres() {
  const { genres } = await api('/api/genres')
  $('#train-genres').replaceChildren(
    ...genres.map((g) => element('label', {}, element('input', { type: 'checkbox', name: 'genres', value: g.name, checked: true }), ` ${g.name} (${g.trackCount})`)),
  )
}

async function startTraining(event) {
  event.preventDefault()
  $('#error').hidden = true
  const form = $('#train-form')
  const genres = [...form.querySelectorAll('input[name="genres"]:checked')].map((input) => input.value)
  if (genres.length === 0) return showError(new Error('Choose at least one genre to train on.'))
  const body = { genres }
  for (const name of ['name', 'epochs', 'drawsPerTrack', 'heldOutDraws', 'segmentSeconds', 'seed']) {
    const value = form[name].value.trim()
    if (value !== '') body[name] = form[name].type === 'number' ? Number(value) : value
  }
  $('#train').disabled = true
  try {
    await api('/api/models', { method: 'POST', json: body })
    await refreshModels()
  } catch (error) {
    $('#train').disabled = false
    showError(error)
  }
}

$('#train-form').addEventListener('submit', startTraining)
Promise.all([refreshModels(), showGenres()]).catch(showError)
