// Entry point: activate() only wires things together; every piece lives in its own module.
import * as vscode from 'vscode';
import { AccountStore } from './accounts/accountStore';
import { registerCloudView, type CloudView } from './cloud/registerCloudView';
import { registerDeployCommands } from './deploy/deployCommands';
import { Log } from './common/log';
import { SandboxHost } from './sandbox/sandboxHost';
import { registerPlatformio, type Platformio } from './platformio/registerPlatformio';
import { registerSerialView, type SerialView } from './serial/registerSerialView';

/** What the extension exposes to other extensions and to its integration tests. */
export interface OtaApi {
  cloud: CloudView;
  sandbox: SandboxHost;
  platformio: Platformio;
  serial: SerialView;
}

let running: SandboxHost | undefined;

export function activate(context: vscode.ExtensionContext): OtaApi {
  const log = new Log();
  context.subscriptions.push(log);
  context.subscriptions.push(vscode.commands.registerCommand('ota.log.show', () => log.show()));
  const store = new AccountStore(context.secrets);
  const sandbox = new SandboxHost(context.globalStorageUri, log);
  running = sandbox;
  context.subscriptions.push(store, sandbox);
  const cloud = registerCloudView(context, log, store, sandbox);
  const platformio = registerPlatformio(context, log);
  const serial = registerSerialView(context, log);
  registerDeployCommands(context, log, cloud, platformio);
  const { version } = context.extension.packageJSON as { version: string };
  log.info(`Firmware OTA ${version} activated`);
  return { cloud, sandbox, platformio, serial };
}

/** Everything else is disposed through context.subscriptions; the sandbox is awaited so its state is saved. */
export async function deactivate(): Promise<void> {
  await running?.stop();
  running = undefined;
}
