import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { frameCount } from '../../src/audio/audio.js'
import { decodeAudio } from '../../src/audio/decode.js'
import { launchBrowser, screenshotDir, watchErrors } from '../helpers/browser.js'
import { DEV_AUDIO } from '../helpers/cli.js'
import { startServer, type ServerProcess } from '../helpers/server.js'

const MIX = join(DEV_AUDIO, 'rock', 'rock-02-chaosgod.ogg')
const REFERENCE = join(DEV_AUDIO, 'rock', 'rock-01-armygeddon.ogg')
const RESULTS_TIMEOUT_MS = 180_000

describe('the mastering page in Chromium', () => {
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

  it('masters a mix against a reference: progress, A/B, meters, plots, re-render and download', async () => {
    const shots = screenshotDir('master-flow')
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors = watchErrors(page)
    await page.goto(server.url)
    await expect.poll(() => page.locator('#target option').count()).toBeGreaterThan(3)
    await page.setInputFiles('#mix-input', MIX)
    await page.setInputFiles('#reference-input', REFERENCE)
    expect(await page.textContent('#mix-name')).toContain('rock-02-chaosgod.ogg')
    expect(await page.locator('#reference-list li').count()).toBe(1)
    await page.check('input[name="format"][value="flac16"]')
    await page.screenshot({ path: join(shots, '1-chosen.png'), fullPage: true })

    await page.click('#submit')
    await page.locator('#job').waitFor({ state: 'visible' })
    await page.screenshot({ path: join(shots, '2-progress.png'), fullPage: true })
    await page.locator('#results').waitFor({ state: 'visible', timeout: RESULTS_TIMEOUT_MS })
    await expect.poll(() => page.locator('#waveform').evaluate((node) => node.childElementCount), { timeout: 30_000 }).toBeGreaterThan(0)
    await page.screenshot({ path: join(shots, '3-results.png'), fullPage: true })

    // Meters show real numbers: the master's loudness within the reference's reach, true peak under the ceiling.
    const meters = await page.locator('#meters tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent)))
    const loudness = meters.find((row) => row[0]!.startsWith('Loudness ('))!
    expect(loudness.slice(1).map(Number).every(Number.isFinite)).toBe(true)
    const truePeak = meters.find((row) => row[0]!.startsWith('True peak'))!
    expect(Number(truePeak[2])).toBeLessThanOrEqual(-1)
    expect(await page.locator('#platforms tbody tr').count()).toBeGreaterThan(2)
    expect(await page.locator('#reasons li').count()).toBeGreaterThan(2)
    expect(await page.locator('#delivery li.pass').count()).toBeGreaterThan(1)
    // The plots drew: uPlot canvases with their series in the legend.
    expect(await page.locator('#spectrum canvas').count()).toBe(1)
    expect(await page.locator('#spectrum .u-legend .u-series').count()).toBe(4)
    expect(await page.locator('#eq-curve canvas').count()).toBe(1)

    // A/B by keyboard at the same position: space plays, A and B switch.
    await page.keyboard.press('Space')
    await expect.poll(() => page.textContent('#time'), { timeout: 10_000 }).not.toMatch(/^0:00 \//)
    await page.keyboard.press('a')
    expect(await page.getAttribute('.ab button[data-kind="mix"]', 'aria-pressed')).toBe('true')
    expect(await page.getAttribute('.ab button[data-kind="master"]', 'aria-pressed')).toBe('false')
    await page.screenshot({ path: join(shots, '4-playing-mix.png') })
    await page.keyboard.press('b')
    expect(await page.getAttribute('.ab button[data-kind="master"]', 'aria-pressed')).toBe('true')
    await page.selectOption('#system', 'phone speaker')
    await page.keyboard.press('Space')
    expect(await page.getAttribute('#play', 'aria-label')).toBe('play')

    // Move a slider and render again: version 2 appears and becomes the one shown.
    await page.locator('#adjust input[name="eqStrength"]').fill('0.3')
    expect(await page.textContent('#adjust input[name="eqStrength"] + output')).toBe('0.30')
    await page.click('#rerender')
    await expect.poll(() => page.locator('#versions li.selected').textContent(), { timeout: RESULTS_TIMEOUT_MS }).toContain('Version 2')
    expect(await page.textContent('#versions li.selected')).toContain('eq 0.30')
    await page.screenshot({ path: join(shots, '5-version-2.png'), fullPage: true })

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#versions li.selected a:has-text("FLAC 16-bit")')])
    const saved = join(shots, 'master-v2.flac')
    await download.saveAs(saved)
    const master = await decodeAudio(readFileSync(saved))
    expect(frameCount(master)).toBe(frameCount(await decodeAudio(readFileSync(MIX))))
    writeFileSync(saved, '') // keep the folder small: the check is done

    // Phone width: everything stacks, nothing spills sideways.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.waitForTimeout(300)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: join(shots, '6-phone.png'), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })

  it('is usable with the keyboard only, and shows the API error in words when the mix is corrupt', async () => {
    const shots = screenshotDir('corrupt-upload')
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors = watchErrors(page)
    page.on('filechooser', () => {}) // intercept the file dialog from the start, not from the first wait
    await page.goto(server.url)
    await expect.poll(() => page.locator('#target option').count()).toBeGreaterThan(3)
    expect(await page.isVisible('#upload')).toBe(false)
    const tabTo = async (selector: string) => {
      for (let i = 0; i < 20 && !(await page.locator(selector).evaluate((node) => node === document.activeElement)); i++) await page.keyboard.press('Tab')
      expect(await page.locator(selector).evaluate((node) => node === document.activeElement)).toBe(true)
    }
    // Space on the focused file input opens the chooser. On a loaded CI machine Chromium has once
    // dropped that dialog (Playwright never saw Page.fileChooserOpened); a second press is still a
    // keyboard-only user, and a page whose input ignores Space fails all three.
    const chooseByKeyboard = async (selector: string, files: Parameters<typeof page.setInputFiles>[1]) => {
      await tabTo(selector)
      for (let attempt = 1; ; attempt++) {
        const chooser = await Promise.all([page.waitForEvent('filechooser', { timeout: 10_000 }), page.keyboard.press('Space')]).then(([c]) => c, (error) => {
          if (attempt === 3) throw error
          return null
        })
        if (chooser) return chooser.setFiles(files)
        await tabTo(selector)
      }
    }
    await chooseByKeyboard('#mix-input', { name: 'broken.wav', mimeType: 'audio/wav', buffer: Buffer.concat([Buffer.from('RIFF\x24\x00\x10\x00WAVEfmt '), Buffer.alloc(64, 7)]) })
    await chooseByKeyboard('#reference-input', REFERENCE)
    await tabTo('#submit')
    await page.keyboard.press('Enter')
    await page.locator('#error').waitFor({ state: 'visible' })
    const message = await page.textContent('#error')
    expect(message).toMatch(/broken\.wav/)
    expect(message).toMatch(/CORRUPT_FILE|TRUNCATED_FILE|UNSUPPORTED_FORMAT/)
    expect(await page.isVisible('#job-form')).toBe(true)
    await page.screenshot({ path: join(shots, 'error.png'), fullPage: true })
    // The browser logs the failed request itself; the page adds no errors of its own.
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([])
    await page.close()
  })
})
