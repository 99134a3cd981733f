// `npm start`: runs the product in the real VS Code of the harness (code-server), with the .vsix installed, on a
// demo PlatformIO project (with a demo image to deploy and flash without PlatformIO), and prints the URL to open. The extension's default account is its embedded sandbox, so
// everything works with no cloud account and no hardware. Ctrl-C stops everything.
import { mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureCodeServer, installVsix, startCodeServer } from './codeServer';
import { prepareDemoProject } from './demoProject';
import { vsixPath } from './vsix';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT=${process.env.PORT ?? ''} is not a port number`);
  const codeServerDir = ensureCodeServer();
  const home = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ota-vscode-harness', 'start');
  const extensionsDir = join(home, 'extensions');
  const userDataDir = join(home, 'user-data');
  const workspace = join(home, 'demo-project');
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(userDataDir, { recursive: true });
  prepareDemoProject(workspace);
  rmSync(join(workspace, '.pio'), { recursive: true, force: true });
  installVsix(codeServerDir, extensionsDir, vsixPath());
  const server = await startCodeServer(codeServerDir, { workspace, extensionsDir, userDataDir, port });
  console.log(`\nFirmware OTA is running in VS Code ${'1.100'} at:\n\n    ${server.workspaceUrl}\n`);
  console.log('Open it in a browser; the OTA icon is in the activity bar. Press Ctrl-C to stop.');
  const stop = () => {
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
