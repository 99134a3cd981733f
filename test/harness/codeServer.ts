// Runs the real VS Code (1.100, from the code-server npm package) for integration and end-to-end tests, on a free
// loopback port, with its own user-data and extensions folders. Installs and caches code-server on first use
// (scripts/harness/install.sh) and stops everything it started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeLanguagePacks } from './testExtensions';

export const repoRoot = resolve(__dirname, '..', '..', '..');

/** Installs what the harness needs (once; cached) and returns the code-server package folder. */
export function ensureCodeServer(): string {
  const result = spawnSync('bash', [join(repoRoot, 'scripts', 'harness', 'install.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`harness install failed (exit ${String(result.status)})`);
  const lines = result.stdout.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

export interface CodeServerOptions {
  /** Folder opened as the workspace. */
  workspace: string;
  /** Extra environment for the server and so for the extension host. */
  env?: NodeJS.ProcessEnv;
  /** User settings. */
  settings?: Record<string, unknown>;
  /** Extensions folder to use (default: a new temporary one, removed on stop). */
  extensionsDir?: string;
  /** User data folder to keep (default: a new temporary one, removed on stop). */
  userDataDir?: string;
  /** Loopback port (default: a free one). */
  port?: number;
  /** Display language (`--locale`), e.g. zh-cn: what vscode.env.language reports to extensions. */
  locale?: string;
}

export interface CodeServer {
  url: string;
  /** URL that opens the workspace folder. */
  workspaceUrl: string;
  extensionsDir: string;
  userDataDir: string;
  log(): string;
  stop(): Promise<void>;
}

const BASE_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
};

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ota-${prefix}-`));
}

/** Installs a .vsix into an extensions folder with code-server's own installer. */
export function installVsix(codeServerDir: string, extensionsDir: string, vsix: string): void {
  const userDataDir = makeTempDir('install');
  try {
    const r = spawnSync(
      process.execPath,
      [join(codeServerDir, 'out', 'node', 'entry.js'), '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir,
        '--install-extension', vsix, '--force'],
      { encoding: 'utf8', env: { ...process.env, CODE_SERVER_CONFIG: join(userDataDir, 'config.yaml') } },
    );
    if (r.status !== 0) throw new Error(`installing ${vsix} failed: ${r.stderr || r.stdout}`);
  } finally {
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

export async function startCodeServer(codeServerDir: string, options: CodeServerOptions): Promise<CodeServer> {
  const userDataDir = options.userDataDir ?? makeTempDir('user');
  const extensionsDir = options.extensionsDir ?? makeTempDir('ext');
  // User settings, and the same as remote-machine settings: code-server's extension host runs "remotely", where
  // machine-scoped settings (such as ota.platformio.path) come from Machine/settings.json.
  const settings = JSON.stringify({ ...BASE_SETTINGS, ...(options.settings ?? {}) }, null, 2);
  for (const scope of ['User', 'Machine']) {
    mkdirSync(join(userDataDir, scope), { recursive: true });
    const settingsFile = join(userDataDir, scope, 'settings.json');
    if (!options.userDataDir || !existsSync(settingsFile)) writeFileSync(settingsFile, settings);
  }
  if (options.locale) writeLanguagePacks(userDataDir, extensionsDir, options.locale);
  const configFile = join(userDataDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\n');
  const args = [
    join(codeServerDir, 'out', 'node', 'entry.js'),
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${options.port ?? 0}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...(options.locale ? ['--locale', options.locale] : []),
    options.workspace,
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, ...(options.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${String(code)}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    workspaceUrl: `${url}/?folder=${encodeURIComponent(options.workspace)}`,
    extensionsDir,
    userDataDir,
    log: () => output,
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        try {
          // The extension host and its children share the process group.
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-(child.pid ?? 0), 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, 5000);
        await exited;
        clearTimeout(timer);
      }
      if (!options.userDataDir) rmSync(userDataDir, { recursive: true, force: true });
      if (!options.extensionsDir) rmSync(extensionsDir, { recursive: true, force: true });
    },
  };
}
