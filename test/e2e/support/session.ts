// One real VS Code (code-server) with the product installed from its .vsix, and a Chromium page on it.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openWorkbench } from '../../harness/browser';
import {
  ensureCodeServer,
  installVsix,
  makeTempDir,
  repoRoot,
  startCodeServer,
  type CodeServer,
} from '../../harness/codeServer';
import { packageTestExtension } from '../../harness/testExtensions';
import { vsixPath } from '../../harness/vsix';

export const screenshotDir = join(repoRoot, 'test-output', 'screenshots');

export interface E2ESession {
  page: Page;
  server: CodeServer;
  workspace: string;
  close(): Promise<void>;
}

export interface E2EOptions {
  /** Prepares the workspace folder before VS Code opens it. */
  prepareWorkspace?: (dir: string) => void;
  env?: NodeJS.ProcessEnv;
  settings?: Record<string, unknown>;
  /** VS Code's display language, e.g. zh-cn. */
  locale?: string;
}

export async function startSession(options: E2EOptions = {}): Promise<E2ESession> {
  const codeServerDir = ensureCodeServer();
  const work = makeTempDir('e2e');
  const extensionsDir = join(work, 'extensions');
  const workspace = join(work, 'workspace');
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  options.prepareWorkspace?.(workspace);
  installVsix(codeServerDir, extensionsDir, vsixPath());
  // A display language other than English needs its language pack installed (a stand-in: no download here).
  if (options.locale === 'zh-cn') installVsix(codeServerDir, extensionsDir, packageTestExtension(work, 'language-pack-zh-cn'));
  const server = await startCodeServer(codeServerDir, {
    workspace,
    extensionsDir,
    env: options.env ?? {},
    settings: options.settings ?? {},
    ...(options.locale ? { locale: options.locale } : {}),
  });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = await openWorkbench(browser, server.workspaceUrl);
    const opened = browser;
    return {
      page,
      server,
      workspace,
      async close() {
        await opened.close();
        await server.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await browser?.close();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
