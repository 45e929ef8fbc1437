import type express from 'express'

interface Layer {
  route?: { path: string; methods: Record<string, boolean> }
  handle?: { stack?: Layer[] }
  matchers?: unknown[]
}

/** The routes an express app serves (method and path, mounted routers included): for checking the OpenAPI file. */
export function routesOf(app: express.Express): Array<{ method: string; path: string }> {
  const routes: Array<{ method: string; path: string }> = []
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) routes.push({ method: method.toUpperCase(), path: prefix + layer.route.path })
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (MOUNTS.get(layer.handle as object) ?? ''))
      }
    }
  }
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '')
  return routes
}

/** Where each router is mounted (express 5 keeps no readable path on a mounted router's layer). */
export const MOUNTS = new WeakMap<object, string>()
