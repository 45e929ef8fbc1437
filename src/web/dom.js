// Small DOM helpers shared by the pages.
import { ApiError } from './api.js'

export const $ = (selector) => document.querySelector(selector)

/** A new element with properties and children. */
export function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props)
  node.append(...children)
  return node
}

/** Shows an error in the page's alert box, in words (the API's message and code). */
export function showError(error) {
  const box = $('#error')
  box.textContent = error instanceof ApiError ? `${error.message} [${error.code}]` : String(error.message ?? error)
  box.hidden = false
  box.scrollIntoView({ block: 'nearest' })
}

/** A drop zone over a file input: files chosen either way go to `onFiles`. */
export function wireDrop(zone, input, onFiles) {
  input.addEventListener('change', () => input.files.length && onFiles([...input.files]))
  zone.addEventListener('dragover', (event) => {
    event.preventDefault()
    zone.classList.add('over')
  })
  zone.addEventListener('dragleave', () => zone.classList.remove('over'))
  zone.addEventListener('drop', (event) => {
    event.preventDefault()
    zone.classList.remove('over')
    if (event.dataTransfer.files.length) onFiles([...event.dataTransfer.files])
  })
}
