import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshotDir, watchErrors } from '../helpers/browser.js'
import { BUILT_IN_MODEL_ID, initialActiveSource } from '../../src/service/settings-source.js'
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

  it('retrains a model on some genres with progress, shows its held-out scores, and activates it', async () => {
    const shots = screenshotDir('library')
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors = watchErrors(page)
    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.accept()
    })
    await page.goto(`${server.url}/library`)
    await expect.poll(() => page.locator('#train-genres input').count()).toBe(5)
    // The initial active source: the shipped model if its card met issue 5's targets, else the analytic matcher.
    const initialActive = initialActiveSource()
    expect(await page.locator('#model-table tbody tr.active th').textContent()).toBe(initialActive === BUILT_IN_MODEL_ID ? 'shipped model (models/default)' : 'analytic matcher')
    for (const genre of ['electronic', 'orchestral', 'pop', 'rock']) await page.uncheck(`#train-genres input[value="${genre}"]`)
    await page.click('#train-form summary')
    await page.fill('input[name="name"]', 'ambient only')
    await page.fill('input[name="epochs"]', '4')
    await page.fill('input[name="drawsPerTrack"]', '1')
    await page.fill('input[name="heldOutDraws"]', '1')
    await page.fill('input[name="segmentSeconds"]', '4')
    await page.click('#train')
    await expect.poll(() => page.locator('#training-text').textContent(), { timeout: 60_000 }).toMatch(/Training "ambient only": (making training examples|training( network \d+ of \d+,)? epoch|scoring)/)
    expect(await page.locator('#train').isDisabled()).toBe(true)
    await page.screenshot({ path: join(shots, '4-training.png'), fullPage: true })

    const row = page.locator('#model-table tbody tr', { hasText: 'ambient only' })
    await expect.poll(() => row.locator('td').first().textContent(), { timeout: 240_000 }).toBe('done')
    expect(await page.locator('#training').isHidden()).toBe(true)
    // Each gate metric: the model's held-out mean against the baseline's, with the change.
    for (const cell of (await row.locator('td').allTextContents()).slice(1, 5)) expect(cell).toMatch(/^\d+\.\d{3} vs \d+\.\d{3} \([−+]\d+ %\)$/)
    await page.screenshot({ path: join(shots, '5-trained.png'), fullPage: true })

    await row.locator('button', { hasText: 'Activate' }).click()
    await expect.poll(() => row.getAttribute('class')).toBe('active')
    // A model worse than the active source on a gate metric is only activated after a confirmation that says so.
    if (dialogs.length > 0) expect(dialogs[0]).toMatch(new RegExp(`"ambient only" is worse than '${initialActive}' on held-out tracks[^]*Activate "ambient only" anyway\\?`))
    await page.locator('#model-table tbody tr', { hasText: 'analytic matcher' }).locator('button', { hasText: 'Activate' }).click()
    await expect.poll(() => row.getAttribute('class')).toBe('')
    await row.locator('button', { hasText: 'Delete' }).click()
    await expect.poll(() => row.count()).toBe(0)
    await page.screenshot({ path: join(shots, '6-models.png'), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })
})
