// The page's access to the refmaster API (src/service). Errors come back as { error: { code, message } };
// they are thrown as ApiError with the server's message, which names the problem in words.

const TOKEN_KEY = 'refmaster-api-token'

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** The bearer token, when the server needs one (asked for once, kept in this browser). */
export function token() {
  return localStorage.getItem(TOKEN_KEY) || ''
}

function askForToken() {
  const given = window.prompt('This refmaster server needs an access token (REFMASTER_API_TOKEN):')
  if (given) localStorage.setItem(TOKEN_KEY, given.trim())
  return Boolean(given)
}

function authHeaders() {
  return token() ? { Authorization: `Bearer ${token()}` } : {}
}

/** A URL the browser fetches by itself (links, event streams): the token rides in the query. */
export function withToken(url) {
  if (!token()) return url
  return `${url}${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token())}`
}

async function errorOf(response) {
  let body = null
  try {
    body = await response.json()
  } catch {
    // not JSON: a proxy's page, a dropped connection
  }
  const code = body?.error?.code ?? `HTTP_${response.status}`
  const message = body?.error?.message ?? `the server answered ${response.status} ${response.statusText}`
  const retry = response.headers.get('retry-after')
  return new ApiError(response.status, code, retry ? `${message} (retry in ${retry} s)` : message)
}

/** fetch() against the API with the token; JSON in and out; retries once after asking for a token. */
export async function api(path, { method = 'GET', json, raw = false } = {}) {
  const init = { method, headers: { ...authHeaders() } }
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(json)
  }
  const response = await fetch(path, init)
  if (response.status === 401 && askForToken()) return api(path, { method, json, raw })
  if (!response.ok) throw await errorOf(response)
  if (raw) return response
  return response.status === 204 ? null : response.json()
}

/** Posts a multipart form with upload progress (fetch has none): resolves to the JSON answer. */
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open('POST', path)
    for (const [name, value] of Object.entries(authHeaders())) request.setRequestHeader(name, value)
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total)
    request.onload = () => {
      let body = null
      try {
        body = JSON.parse(request.responseText)
      } catch {
        // handled below
      }
      if (request.status === 401 && askForToken()) {
        upload(path, form, onProgress).then(resolve, reject)
        return
      }
      if (request.status >= 200 && request.status < 300) resolve(body)
      else {
        const retry = request.getResponseHeader('retry-after')
        const message = body?.error?.message ?? `the server answered ${request.status}`
        reject(new ApiError(request.status, body?.error?.code ?? `HTTP_${request.status}`, retry ? `${message} (retry in ${retry} s)` : message))
      }
    }
    request.onerror = () => reject(new ApiError(0, 'NETWORK', 'the upload did not reach the server (connection lost, or the file is over the size limit)'))
    request.send(form)
  })
}
