// The library page: genre profiles, the reference tracks by genre (listen, remove), and adding a track.
import { api, upload, withToken } from './api.js'
import { $, element, showError, wireDrop } from './dom.js'

const number = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–')

async function refresh() {
  const [{ genres }, { tracks }] = await Promise.all([api('/api/genres'), api('/api/library')])
  const columns = [
    ['genre', (g) => g.name],
    ['tracks', (g) => String(g.trackCount)],
    ['LUFS', (g) => number(g.summary.integratedLufs)],
    ['LRA (LU)', (g) => number(g.summary.loudnessRangeLu)],
    ['PLR (dB)', (g) => number(g.summary.plrDb)],
    ['width (dB)', (g) => number(g.summary.sideMidDb)],
    ['low / mid / high (dB)', (g) => `${number(g.summary.lowDb)} / ${number(g.summary.midDb)} / ${number(g.summary.highDb)}`],
    ['tilt (dB/oct)', (g) => number(g.summary.tiltDbPerOctave, 2)],
  ]
  $('#genre-table').replaceChildren(
    element('thead', {}, element('tr', {}, ...columns.map(([label]) => element('th', { scope: 'col', textContent: label })))),
    element('tbody', {}, ...genres.map((g) => element('tr', {}, ...columns.map(([, value], i) => element(i === 0 ? 'th' : 'td', { textContent: value(g), ...(i === 0 ? { scope: 'row' } : {}) }))))),
  )
  $('#genre-names').replaceChildren(...genres.map((g) => element('option', { value: g.name })))
  const byGenre = Map.groupBy ? Map.groupBy(tracks, (t) => t.genre) : tracks.reduce((map, t) => map.set(t.genre, [...(map.get(t.genre) ?? []), t]), new Map())
  $('#tracks').replaceChildren(
    ...[...byGenre.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([genre, list]) =>
      element('details', { open: list.some((t) => t.origin === 'user') }, element('summary', { textContent: `${genre} (${list.length})` }), element('ul', { className: 'tracks' }, ...list.map(trackItem))),
    ),
  )
}

function trackItem(track) {
  const remove = element('button', { type: 'button', textContent: track.origin === 'user' ? 'Delete' : 'Hide' })
  remove.setAttribute('aria-label', `${track.origin === 'user' ? 'delete' : 'hide'} ${track.title}`)
  remove.addEventListener('click', async () => {
    if (!confirm(`${track.origin === 'user' ? 'Delete' : 'Hide'} "${track.title}" from the ${track.genre} genre? Its profile is rebuilt without it.`)) return
    try {
      await api(`/api/library/${encodeURIComponent(track.id)}`, { method: 'DELETE' })
      await refresh()
    } catch (error) {
      showError(error)
    }
  })
  const player = element('audio', { controls: true, preload: 'none', src: withToken(track.audioUrl) })
  player.setAttribute('aria-label', `listen to ${track.title}`)
  return element(
    'li',
    { className: 'track' },
    element('div', {}, element('strong', { textContent: track.title }), ` by ${track.artist}`, element('div', { className: 'note', textContent: `${track.attribution} · ${track.licence} · ${track.origin === 'user' ? 'added by you' : 'built in'}` })),
    player,
    remove,
  )
}

async function addTrack(event) {
  event.preventDefault()
  $('#error').hidden = true
  const form = $('#add-form')
  const file = $('#track-input').files[0]
  if (!file) return showError(new Error('Choose an audio file first.'))
  if (!form.genre.checkValidity()) return showError(new Error('The genre is lower-case words joined by hyphens, e.g. "synth-pop".'))
  const data = new FormData()
  data.append('file', file, file.name)
  for (const name of ['genre', 'title', 'artist', 'licence', 'source']) if (form[name].value.trim()) data.append(name, form[name].value.trim())
  $('#add').disabled = true
  $('#upload').hidden = false
  try {
    await upload('/api/library', data, (fraction) => {
      $('#upload-progress').value = fraction
      $('#upload-text').textContent = fraction < 1 ? `Uploading ${Math.round(fraction * 100)} %` : 'Analysing the track'
    })
    form.reset()
    $('#track-name').textContent = 'Added. Drop another track here, or choose a file'
    await refresh()
  } catch (error) {
    showError(error)
  } finally {
    $('#add').disabled = false
    $('#upload').hidden = true
  }
}

wireDrop($('#track-drop'), $('#track-input'), (files) => {
  if ($('#track-input').files[0] !== files[0]) {
    const transfer = new DataTransfer()
    transfer.items.add(files[0])
    $('#track-input').files = transfer.files
  }
  $('#track-name').textContent = files[0].name
})
$('#add-form').addEventListener('submit', addTrack)
refresh().catch(showError)
