// A user whose VS Code speaks Simplified Chinese (code-server --locale zh-cn; the workbench itself stays English
// without a language pack, but vscode.env.language is zh-cn): the OTA views, the palette's commands, the pickers
// and the flash panel are in Chinese, in the words of Alibaba's IoT console.
import * as assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { prepareDemoProject } from '../harness/demoProject';
import { screenshotOnFailure } from './support/failureScreenshots';
import { screenshot, startSession, type E2ESession } from './support/session';
import { collapsePane, expandRow, openOtaContainer, pickQuickItem, rowTexts, runCommand, treeRow, viewPane, webviewFrame, widenSidebar } from './support/workbench';

const CJK = /[\u4e00-\u9fff]/;
/** English words in a row, the last two in lower case: a sentence left untranslated (names and codes are not). */
const ENGLISH = /[A-Za-z][a-z]+,? [a-z]{2,}[,:;]? [a-z]{2,}/;

/** The flash panel's own sentences (status, result, device facts, log) are Chinese; the device's own lines are not ours. */
async function assertPanelInChinese(panel: Frame, what: string): Promise<void> {
  const message = await panel.locator('#message').innerText();
  assert.match(message, CJK, `${what}: the result ${message}`);
  assert.doesNotMatch(message, ENGLISH, `${what}: the result ${message}`);
  for (const label of await panel.locator('#device dt').allInnerTexts()) assert.match(label, CJK, `${what}: the device fact ${label}`);
  for (const value of await panel.locator('#device dd').allInnerTexts()) assert.doesNotMatch(value, ENGLISH, `${what}: the device fact ${value}`);
  const log = await panel.locator('#log .line:not(.device)').allInnerTexts();
  assert.ok(log.length > 3, `${what}: the log has ${log.length} lines`);
  for (const line of log) assert.doesNotMatch(line, ENGLISH, `${what}: the log line ${line}`);
  // The lines marked as the device's: its own AT lines and the core's words about it, none an English sentence.
  for (const line of await panel.locator('#log .line.device').allInnerTexts()) assert.doesNotMatch(line, ENGLISH, `${what}: the device line ${line}`);
}

describe('in a zh-cn VS Code (UI)', function () {
  let session: E2ESession;
  screenshotOnFailure(() => session?.page);

  before(async function () {
    this.timeout(300_000);
    session = await startSession({ prepareWorkspace: prepareDemoProject, locale: 'zh-cn' });
  });

  after(async () => {
    await session?.close();
  });

  it('shows the Cloud and Serial views in Chinese', async () => {
    const { page } = session;
    await openOtaContainer(page);
    const cloud = viewPane(page, '云端');
    await treeRow(cloud, '沙箱').waitFor({ state: 'visible', timeout: 60_000 });
    const serial = viewPane(page, '串口');
    await treeRow(serial, '虚拟 MCU（移远 OTA）').waitFor({ state: 'visible', timeout: 60_000 });
    await widenSidebar(page, 640);
    await expandRow(cloud, 'Smart Plug');
    await treeRow(cloud, 'plug-main 1.2.0').waitFor({ state: 'visible', timeout: 60_000 });
    await expandRow(cloud, 'plug-main 1.2.0');
    await treeRow(cloud, /^升级批次 /).waitFor({ state: 'visible', timeout: 60_000 });
    await treeRow(cloud, /^升级批次 /).click();
    await treeRow(cloud, '升级成功').waitFor({ state: 'visible', timeout: 60_000 });
    const rows = await rowTexts(cloud);
    assert.ok(rows.some((r) => r === '沙箱 — 演示数据 · 本地模拟，无需账号'), rows.join('\n'));
    assert.ok(rows.some((r) => /^Smart Plug — a1PlugEsp32 · \d+ 个升级包$/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^plug-main 1\.2\.0 — 整包 · 已验证 · [\d.]+ KiB$/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^升级批次 \S+ — 升级中 · 静态升级, 全量升级 · 开始于 /.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^升级成功 — \d+ 台设备$/.test(r)), rows.join('\n'));
    assert.deepEqual(
      (await rowTexts(serial)).map((r) => r.replace(/ — .*/, '')),
      ['虚拟 MCU（移远 OTA）', '虚拟引导程序（YMODEM）', '虚拟 STM32（系统引导程序）', '虚拟开发板（MCUboot，SMP）'],
    );
    await screenshot(page, 'zh-cn-views');
  });

  it('flashes from the palette with Chinese pickers and a Chinese flash panel', async () => {
    const { page } = session;
    await collapsePane(page, '云端');
    await runCommand(page, 'OTA: 通过串口烧录固件');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: '烧录哪个镜像？' }).waitFor({ timeout: 30_000 });
    const demo = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'blink-esp32dev-1.4.2.bin' });
    await demo.waitFor({ timeout: 30_000 });
    assert.match(await demo.innerText(), /演示镜像/);
    await screenshot(page, 'zh-cn-image-picker');
    await pickQuickItem(page, 'blink-esp32dev-1.4.2.bin');
    await pickQuickItem(page, '虚拟 MCU（移远 OTA）');
    const panel = await webviewFrame(page, '#percent', 60_000);
    await panel.locator('#phase', { hasText: /^(完成|已发送|失败|已取消)/ }).waitFor({ timeout: 120_000 });
    assert.equal(await panel.locator('#phase').innerText(), '完成，设备已校验', await panel.locator('#message').innerText());
    assert.match(await panel.locator('#bytes').innerText(), /^64\.0 KiB \/ 64\.0 KiB$/);
    assert.match(await panel.locator('#target').innerText(), /^virtual:quecthing-mcu · 移远 MCU OTA（AT 指令） · 115200 波特$/);
    const labels = await panel.locator('dl.stats dt').allInnerTexts();
    assert.deepEqual(labels, ['字节', '速率', '剩余时间', '已用时间', '重试次数']);
    assert.equal(await panel.locator('#retry').innerText(), '再次烧录');
    await assertPanelInChinese(panel, 'quecthing');
    await screenshot(page, 'zh-cn-flash-panel');
  });

  it('flashes the virtual STM32: its facts, read-back and log in Chinese', async () => {
    const { page } = session;
    // The flash panel of the last test may take the keyboard back and close a picker: close it first, and ask again
    // if the image picker closes all the same.
    await runCommand(page, 'View: Close All Editors');
    for (let attempt = 1; ; attempt++) {
      await page.locator('.part.sidebar .composite.title').click();
      await runCommand(page, 'OTA: 通过串口烧录固件');
      try {
        await pickQuickItem(page, 'blink-esp32dev-1.4.2.bin');
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
    await pickQuickItem(page, '虚拟 STM32（系统引导程序）');
    const panel = await webviewFrame(page, '#target:has-text("virtual:stm32-bootloader")', 60_000);
    await panel.locator('#phase', { hasText: /^(完成|已发送|失败|已取消)/ }).waitFor({ timeout: 120_000 });
    assert.equal(await panel.locator('#phase').innerText(), '完成，设备已校验', await panel.locator('#message').innerText());
    const facts = await panel.locator('#device dt').allInnerTexts();
    assert.ok(facts.includes('芯片') && facts.includes('闪存容量'), facts.join(', '));
    await assertPanelInChinese(panel, 'stm32');
    await screenshot(page, 'zh-cn-flash-stm32');
  });

  it('shows the demo rollout dashboard in Chinese: summary, waves, gates and reasons', async function () {
    this.timeout(180_000);
    const { page } = session;
    await page.locator('.part.sidebar .composite.title').click();
    await runCommand(page, 'OTA: 打开灰度升级看板');
    await pickQuickItem(page, 'fleet-2.1.9-beta');
    const frame = await webviewFrame(page, '#waves-body tr[data-status="stopped"]', 120_000);
    const summary = await frame.locator('#summary').innerText();
    assert.match(summary, /灰度升级 fleet-2\.1\.9-beta/, summary);
    assert.doesNotMatch(summary, ENGLISH, summary);
    assert.match(await frame.locator('#status-text').innerText(), CJK);
    const cells = await frame.locator('#waves-body tr td').allInnerTexts();
    for (const cell of cells) assert.doesNotMatch(cell, ENGLISH, `a wave cell: ${cell}`);
    assert.ok(cells.some((c) => c.startsWith('已通过')), cells.join(' | '));
    assert.ok(cells.some((c) => /^已停止/.test(c)), cells.join(' | '));
    assert.match(await frame.locator('#markers').innerText(), /第 1 批门限检查 ✓/);
    assert.match(await frame.locator('#updated').innerText(), /^更新于 /);
    await screenshot(page, 'zh-cn-rollout-dashboard');
  });

  it('opens the Getting Started walkthrough in Chinese, with Chinese media', async () => {
    const { page } = session;
    // The flash panel (a webview) may hold the keyboard: give it back to the workbench before using the palette.
    await page.locator('.part.sidebar .composite.title').click();
    await runCommand(page, 'View: Close Primary Side Bar');
    await runCommand(page, 'OTA: Firmware OTA 入门');
    const steps = page.locator('.gettingStartedContainer .getting-started-step');
    await steps.first().waitFor({ timeout: 30_000 });
    const titles = await steps.locator('.step-title').allInnerTexts();
    assert.deepEqual(titles.map((t) => t.trim()), ['查看沙箱', '连接真实账号', '构建、上传并部署', '烧录开发板']);
    // The step's markdown media is a webview of its own: the Chinese file.
    const media = await webviewFrame(page, 'h1:has-text("沙箱")', 30_000);
    assert.match(await media.locator('body').innerText(), /演示数据/);
    await screenshot(page, 'zh-cn-walkthrough');
  });
});
