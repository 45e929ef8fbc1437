import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshotDir, watchErrors } from '../helpers/browser.js'
import { DEV_AUDIO } from '../helpers/cli.js'
import { startServer, type ServerProcess } from '../helpers/server.js'

describe('the library page in Chromium', () => {
  let server: ServerProcess
  let browser: Browser
  beforeAll(async () => {
    server = await startServer()
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('shows the genre profiles, files a track under a new genre, plays it, and removes it', async () => {
    const shots = screenshotDir('library')
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors = watchErrors(page)
    page.on('dialog', (dialog) => dialog.accept())
    await page.goto(`${server.url}/library`)
    await expect.poll(() => page.locator('#genre-table tbody tr').count()).toBe(5)
    const rock = await page.locator('#genre-table tbody tr', { hasText: 'rock' }).locator('td').allTextContents()
    expect(rock[0]).toBe('4')
    expect(Number(rock[1])).toBeLessThan(-5)
    expect(await page.locator('#tracks details').count()).toBe(5)
    await page.screenshot({ path: join(shots, '1-library.png'), fullPage: true })

    await page.setInputFiles('#track-input', join(DEV_AUDIO, 'rock', 'rock-01-armygeddon.ogg'))
    await page.fill('input[name="genre"]', 'stoner-rock')
    await page.fill('input[name="artist"]', 'A Band')
    await page.fill('input[name="licence"]', 'CC-BY-4.0')
    await page.click('#add')
    await expect.poll(() => page.locator('#genre-table tbody tr').count(), { timeout: 60_000 }).toBe(6)
    const added = page.locator('#tracks details', { hasText: 'stoner-rock' })
    expect(await added.locator('li').count()).toBe(1)
    expect(await added.textContent()).toContain('A Band')
    const duration = await added.locator('audio').evaluate(
      (audio: HTMLAudioElement) => new Promise<number>((resolve) => {
        audio.preload = 'metadata'
        audio.addEventListener('loadedmetadata', () => resolve(audio.duration), { once: true })
        audio.load()
      }),
    )
    expect(duration).toBeGreaterThan(59)
    await page.screenshot({ path: join(shots, '2-added.png'), fullPage: true })

    await added.locator('button', { hasText: 'Delete' }).click()
    await expect.poll(() => page.locator('#genre-table tbody tr').count()).toBe(5)
    await page.setViewportSize({ width: 390, height: 844 })
    await page.waitForTimeout(300)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: join(shots, '3-phone.png'), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })
})
