// Entry point: activate() only wires things together; every piece lives in its own module, every command in the
// one table of ./commands/.
import type * as vscode from 'vscode';
import type { Firmware } from '../core/model';
import type { FlashResult } from '../core/serial/sessionTypes';
import { AccountStore } from './accounts/accountStore';
import { registerCloudView } from './cloud/registerCloudView';
import { registerCommands, type ShownError } from './commands/command';
import { commandTable } from './commands';
import { Log, logFile } from './common/log';
import { cloudImageSource } from './images/cloudImages';
import { DeployService } from './deploy/deployService';
import { registerPlatformio } from './platformio/registerPlatformio';
import { RolloutDashboards } from './rollout/rolloutDashboards';
import { SandboxHost } from './sandbox/sandboxHost';
import { registerSerialView } from './serial/registerSerialView';
import { underTest, type OtaTesting } from './testing';
import { registerWalkthrough } from './walkthrough/registerWalkthrough';

/** What the extension offers other extensions. */
export interface OtaApi {
  /** Flashes an image file to a serial port (path, or a virtual port id) with a protocol of the Serial view;
   *  undefined when a flash is already running or a question was dismissed. */
  flash(request: { image: string; port: string; protocol: string; baud?: number; options?: Record<string, unknown> }): Promise<FlashResult | undefined>;
  /** The firmware packages of every account the Cloud view shows (accounts that cannot list firmware are left out). */
  listFirmware(): Promise<{ accountId: string; label: string; firmware: Firmware[] }[]>;
  /** Only while the extension runs under its tests (./testing.ts). */
  readonly testing?: OtaTesting;
}

let running: SandboxHost | undefined;

export function activate(context: vscode.ExtensionContext): OtaApi {
  const log = new Log();
  const store = new AccountStore(context.secrets);
  const sandbox = new SandboxHost(context.globalStorageUri, log);
  running = sandbox;
  context.subscriptions.push(log, store, sandbox);
  const cloud = registerCloudView(context, log, store, sandbox);
  const pio = registerPlatformio(context, log);
  const serial = registerSerialView(context, log, cloudImageSource(cloud.models));
  const deploy = new DeployService(context.workspaceState, log, cloud.models, pio);
  const rollouts = new RolloutDashboards(context, log, cloud, sandbox);
  context.subscriptions.push(deploy, rollouts);
  const milestones = registerWalkthrough(context, store, cloud, deploy, serial.controller);
  const testing = underTest(context);
  const errorsShown: ShownError[] = [];
  registerCommands(context, log, commandTable({ context, log, store, cloud, deploy, pio, serial, milestones, rollouts }), testing ? errorsShown : undefined);
  const { version } = context.extension.packageJSON as { version: string };
  log.info(`Firmware OTA ${version} activated`);

  const api: OtaApi = {
    flash: async (request) => {
      // One port in, one result out (the flasher gives a list only for several ports).
      const result = await serial.flasher(request);
      return Array.isArray(result) ? result[0] : result;
    },
    listFirmware: async () => {
      const out: { accountId: string; label: string; firmware: Firmware[] }[] = [];
      for (const a of cloud.models.accounts().accounts) {
        const session = await cloud.models.get(a.id).session().catch(() => undefined);
        if (session?.ota) out.push({ accountId: a.id, label: a.label, firmware: await cloud.models.get(a.id).firmware() });
      }
      return out;
    },
  };
  return testing
    ? { ...api, testing: { cloud, sandbox, platformio: pio, serial, rollouts, log: { file: logFile(context), errorsShown } } }
    : api;
}

/** Everything else is disposed through context.subscriptions; the sandbox is awaited so its state is saved. */
export async function deactivate(): Promise<void> {
  await running?.stop();
  running = undefined;
}
