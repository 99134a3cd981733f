// A user starts a staged rollout from the palette on the sandbox's fleet (2,400 Smart Plug Fleet devices; the
// release candidate fails on 30 % of hardware rev-B), answers its questions, and watches the dashboard: the canary
// passes its gate, the next wave is stopped by its failure gate (its queued devices cancelled), the failure reasons
// name the devices behind them, and the device search finds one of them. The rollout file is in the workspace.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { screenshotOnFailure } from './support/failureScreenshots';
import { screenshot, startSession, type E2ESession } from './support/session';
import { openOtaContainer, pickQuickItem, runCommand, webviewFrame } from './support/workbench';

const NAME = 'Smart-Plug-Fleet-2.2.0-rc1';

/** The little of the DOM read in the webview (the tests compile without the DOM library). */
interface Cells {
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
}

async function waveRows(frame: Frame): Promise<string[][]> {
  return frame.locator('#waves-body tr').evaluateAll((rows: Cells[]) =>
    rows.map((r) => Array.from(r.querySelectorAll('td')).map((c) => (c.textContent ?? '').trim())),
  );
}

describe('staged rollout with a failure gate (UI, sandbox fleet)', function () {
  let session: E2ESession;
  screenshotOnFailure(() => session?.page);

  before(async function () {
    this.timeout(300_000);
    session = await startSession({
      settings: {
        'ota.sandbox.simulationIntervalMs': 250,
        'ota.sandbox.failureRate': 0,
        'ota.cloud.refreshIntervalSeconds': 1,
        'ota.serial.virtualDevices': false,
      },
    });
  });

  after(async () => {
    await session?.close();
  });

  it('the canary passes, the next wave is stopped by its failure gate, and the dashboard shows why', async function () {
    this.timeout(240_000);
    const { page } = session;
    await openOtaContainer(page);
    await runCommand(page, 'OTA: Start Staged Rollout');
    await pickQuickItem(page, 'New rollout of a firmware');
    await pickQuickItem(page, 'fleet-main 2.2.0-rc1');
    await pickQuickItem(page, 'Canary 5 → 10 % → 50 % → 100 %');
    const box = page.locator('.quick-input-widget input');
    await box.waitFor({ state: 'visible' });
    assert.equal(await box.inputValue(), '5', 'the failure gate offers 5 %');
    await page.keyboard.press('Enter');
    await pickQuickItem(page, 'Continue on their own');
    await box.waitFor({ state: 'visible' });
    assert.equal(await box.inputValue(), NAME);
    await page.keyboard.press('Enter');

    const frame = await webviewFrame(page, '#waves-body', 120_000);
    // The canary: 5 devices, one job.
    await frame.locator('#waves-body tr').first().waitFor({ timeout: 60_000 });
    let rows = await waveRows(frame);
    assert.equal(rows.length, 4);
    assert.equal(rows[0][1], 'canary (5 sampled)');
    assert.equal(rows[0][3], '5');
    await screenshot(page, 'rollout-canary');

    // Wave 2 (10 % of 2,400 = 240, minus the canary) starts once the canary passed, and its gate stops it.
    await frame.locator('#waves-body tr[data-status="stopped"]').waitFor({ timeout: 180_000 });
    rows = await waveRows(frame);
    assert.match(rows[0][2], /^passed/, rows[0].join(' | '));
    assert.match(rows[0][11], /^passed /);
    assert.equal(rows[1][3], '235');
    assert.match(rows[1][2], /^stopped, \d+ left$/, rows[1].join(' | '));
    assert.match(rows[1][11], /^failed .*finished devices failed .*more than the 5 % the gate allows/, rows[1][11]);
    assert.match(rows[2][2], /^not started/);
    assert.match(await frame.locator('#summary').innerText(), /paused at wave 2 of 4: the gate of wave 2 failed/);
    assert.match(await frame.locator('#markers').innerText(), /gate 1 ✓[\s\S]*wave 2[\s\S]*gate 2 ✗/);

    // The failure reasons: every failure of this firmware is the rev-B flash write.
    const failure = frame.locator('#failures .failure').first();
    assert.match(await failure.locator('.text').innerText(), /^flash write failed$/);
    const chip = failure.locator('.chip').first();
    const device = await chip.innerText();
    await chip.click();
    const found = frame.locator('#devices-body tr:not([hidden])');
    await found.first().waitFor();
    assert.equal(await found.count(), 1);
    assert.match(await found.first().innerText(), new RegExp(`${device}\\s+2\\s+Failed\\s+\\d+ %\\s+flash write failed`));
    // Resume and Retry are offered; Pause is not (it is paused already).
    assert.equal(await frame.locator('#act-resume').getAttribute('disabled'), null);
    assert.notEqual(await frame.locator('#act-pause').getAttribute('disabled'), null);
    await screenshot(page, 'rollout-failure-reasons');
    await frame.locator('header').scrollIntoViewIfNeeded();
    await screenshot(page, 'rollout-gate-stopped');

    // The rollout file in the workspace says the same.
    const file = JSON.parse(readFileSync(join(session.workspace, '.ota', 'rollouts', `${NAME}.json`), 'utf8')) as {
      state: { status: string; pausedBy: string; waves: { status: string; jobs: unknown[] }[] };
    };
    assert.equal(file.state.status, 'paused');
    assert.equal(file.state.pausedBy, 'gate');
    assert.deepEqual(file.state.waves.map((w) => w.status), ['passed', 'stopped', 'pending', 'pending']);
    assert.deepEqual(file.state.waves.map((w) => w.jobs.length), [1, 1, 0, 0]);
  });

  it('after a reload of VS Code the dashboard shows the same rollout, its history and gate decisions; the demo rollout too', async function () {
    this.timeout(240_000);
    const { page } = session;
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForTimeout(3000);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await page.waitForSelector('.activitybar', { timeout: 60_000 });
    await runCommand(page, 'OTA: Open Rollout Dashboard');
    await pickQuickItem(page, NAME);
    const frame = await webviewFrame(page, '#waves-body tr', 120_000);
    await frame.locator('#waves-body tr[data-status="stopped"]').waitFor({ timeout: 60_000 });
    const rows = await waveRows(frame);
    assert.deepEqual(rows.map((r) => r[2].replace(/,.*/, '')), ['passed', 'stopped', 'not started', 'not started']);
    assert.match(await frame.locator('#markers').innerText(), /gate 1 ✓[\s\S]*gate 2 ✗/, 'the gate decisions survived the reload');
    assert.match(await frame.locator('#failures .failure .text').first().innerText(), /^flash write failed$/);

    // The sandbox's demo rollout: 2.1.9-beta, stopped by its gate in wave 2.
    await runCommand(page, 'OTA: Open Rollout Dashboard');
    await pickQuickItem(page, 'fleet-2.1.9-beta');
    let demo: Frame | undefined;
    const end = Date.now() + 60_000;
    while (!demo && Date.now() < end) {
      for (const f of page.frames()) {
        const title = await f.locator('#title').innerText({ timeout: 500 }).catch(() => '');
        if (title === 'Rollout fleet-2.1.9-beta') demo = f;
      }
      if (!demo) await page.waitForTimeout(500);
    }
    assert.ok(demo, 'the demo rollout dashboard opened');
    await demo.locator('#waves-body tr[data-status="stopped"]').waitFor({ timeout: 60_000 });
    assert.match(await demo.locator('#failures .failure .text').first().innerText(), /^watchdog reset after flash$/);
    await screenshot(page, 'rollout-demo-stopped');
  });
});
