// Build, upload and deploy from VS Code: "OTA: Build, Upload and Deploy" chains the steps in one progress
// notification; "OTA: Build and Upload Firmware" stops after the upload; "Deploy Firmware to Devices" on a firmware
// of the tree creates a job for it. Every failure says what exists now (DeployError), and a rollout is followed in
// the status bar until it ends. The tree's other firmware and job actions are in jobActions.ts.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import {
  deploy,
  describeRollout,
  formatBytes,
  type DeployPlan,
  type DeployResult,
  type JobPlan,
  type RolloutGuard,
  type VerifyPlan,
} from '../../core/deploy';
import { errorMessage } from '../../core/errors';
import { resolveVersion, validateAliyunVersion } from '../../core/platformio';
import type { CloudView } from '../cloud/registerCloudView';
import { FirmwareNode } from '../cloud/nodes/firmwareNode';
import type { Log } from '../common/log';
import { buildFirmware } from '../platformio/buildFirmware';
import type { Platformio } from '../platformio/registerPlatformio';
import { askProduct, askTarget, askVerification, askVersion, need } from './deployPrompts';
import { iotaapDeploy, type IotaapDeployArgs } from './iotaapDeploy';
import { chooseAliyunAccount, guardCommand } from './commandSupport';
import { registerJobActions } from './jobActions';
import { RolloutStatus } from './rolloutStatus';

/** Answers given up front (automation, tests); anything missing is asked. */
export interface DeployArgs {
  accountId?: string;
  projectDir?: string;
  env?: string;
  /** An image to upload instead of building. */
  file?: string;
  version?: string;
  productKey?: string;
  job?: JobPlan;
  /** null: upload without verification. */
  verify?: VerifyPlan | null;
  guard?: RolloutGuard;
}

/** The rollout guard of the settings: off while ota.deploy.abortFailurePercent is 0. */
function guardFromSettings(): RolloutGuard | undefined {
  const c = vscode.workspace.getConfiguration('ota.deploy');
  const percent = c.get<number>('abortFailurePercent', 0);
  if (!percent) return undefined;
  return { maxFailurePercent: percent, minFinished: Math.max(1, c.get<number>('abortAfterDevices', 10)) };
}

export function registerDeployCommands(context: vscode.ExtensionContext, log: Log, cloud: CloudView, pio: Platformio): void {
  const status = new RolloutStatus();
  const state = context.workspaceState;
  context.subscriptions.push(status);

  const aliyunAccount = (accountId?: string) => chooseAliyunAccount(cloud, accountId);

  /** Asks what is missing, then runs the chain in one progress notification. */
  const buildUploadDeploy = async (args: DeployArgs, withJob: boolean): Promise<DeployResult | undefined> => {
    const account = await aliyunAccount(args.accountId);
    let file = args.file;
    let version = args.version;
    let target: Awaited<ReturnType<typeof pio.choice.choose>> | undefined;
    if (!file) {
      target = need(await pio.choice.choose({ projectDir: args.projectDir, env: args.env }));
      if (!version) {
        const env = target.environments.environments.find((e) => e.name === target?.env);
        const resolved = await resolveVersion({
          setting: vscode.workspace.getConfiguration('ota.firmware').get<string>('version') || undefined,
          buildFlags: env?.buildFlags ?? [],
          projectDir: target.projectDir,
        });
        version = await askVersion(resolved?.version, resolved?.detail);
      }
    }
    if (!version) version = await askVersion(undefined, undefined);
    const versionProblem = validateAliyunVersion(version);
    if (versionProblem) throw new Error(`Version "${version}": ${versionProblem}`);
    const productKey = args.productKey ?? (await askProduct(await account.client.listFirmware(), state));
    const job = withJob ? (args.job ?? (await askTarget())) : undefined;
    const verify = args.verify !== undefined ? args.verify : await askVerification(state);

    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `OTA ${version}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        if (target && !file) {
          progress.report({ message: `building ${target.env}…` });
          const built = await buildFirmware(pio.tasks, target).catch((e: unknown) => {
            throw new Error(`${errorMessage(e)} Nothing was uploaded.`);
          });
          file = built.artifact.path;
          if (abort.signal.aborted) throw new Error(`Cancelled after the build; nothing was uploaded. The image is ${file}.`);
        }
        const plan: DeployPlan = {
          upload: {
            file: file as string,
            version,
            productKey,
            needToVerify: verify !== null,
            // Named after the project and environment it was built from ("blink-esp32dev"), else the version.
            ...(target ? { name: `${basename(target.projectDir)}-${target.env}`.slice(0, 40) } : {}),
          },
          ...(verify ? { verify } : {}),
          ...(job ? { job, follow: true } : {}),
          ...(job && (args.guard ?? guardFromSettings()) ? { guard: args.guard ?? guardFromSettings() } : {}),
        };
        let lastPct = 0;
        const result = await deploy(account.client, plan, {
          signal: abort.signal,
          pollIntervalMs: 2000,
          onStep: (s) => {
            log.info(`deploy: ${s.message}`);
            progress.report({ message: s.message });
            if (s.state === 'done' && (s.stage === 'create-firmware' || s.stage === 'create-job')) cloud.provider.refresh();
          },
          onProgress: (p) => {
            if (p.stage !== 'upload' || !p.total) return;
            const pct = (p.done / p.total) * 100;
            progress.report({ increment: pct - lastPct, message: `uploading ${formatBytes(p.done)} of ${formatBytes(p.total)}` });
            lastPct = pct;
          },
          onSnapshot: (s) => {
            status.update(s);
            progress.report({ message: `${s.succeeded} succeeded, ${s.failed} failed, ${s.pending} pending of ${s.total}` });
          },
          onGuardTrip: (t) => log.warn(`Rollout guard: ${t.reason}`),
        });
        status.hide();
        cloud.provider.refresh();
        log.info(result.summary);
        if (result.rollout?.outcome === 'stopped-by-guard') void vscode.window.showWarningMessage(describeRollout(result.rollout));
        else if (result.rollout) void vscode.window.showInformationMessage(`Rollout of ${result.version} ended. ${describeRollout(result.rollout)}.`);
        else void vscode.window.showInformationMessage(result.summary);
        return result;
      },
    );
  };

  const guarded = guardCommand(log, () => status.hide());
  const clientOf = async (node: { accountId: string }) => (await aliyunAccount(node.accountId)).client;

  context.subscriptions.push(
    vscode.commands.registerCommand('ota.deploy.buildUploadDeploy', guarded((args?: DeployArgs) => buildUploadDeploy(args ?? {}, true))),
    vscode.commands.registerCommand('ota.iotaap.deploy', guarded((arg?: IotaapDeployArgs) => iotaapDeploy(context, cloud, pio, arg))),
    vscode.commands.registerCommand('ota.firmware.upload', guarded((args?: DeployArgs) => buildUploadDeploy(args ?? {}, false))),
    vscode.commands.registerCommand(
      'ota.firmware.deploy',
      guarded(async (node?: FirmwareNode, args?: { job?: JobPlan; guard?: RolloutGuard }) => {
        if (!(node instanceof FirmwareNode)) throw new Error('Choose a firmware package in the OTA Cloud view first.');
        const client = await clientOf(node);
        const job = args?.job ?? (await askTarget());
        return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Deploying ${node.firmware.name} ${node.firmware.version}`, cancellable: true }, async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          const result = await deploy(client, { upload: { firmwareId: node.firmware.id }, job, follow: true, ...(args?.guard ? { guard: args.guard } : {}) }, {
            signal: abort.signal,
            pollIntervalMs: 2000,
            onStep: (s) => {
              progress.report({ message: s.message });
              if (s.stage === 'create-job' && s.state === 'done') cloud.provider.refresh(node);
            },
            onSnapshot: (s) => status.update(s),
          });
          status.hide();
          cloud.provider.refresh(node);
          if (result.rollout) void vscode.window.showInformationMessage(describeRollout(result.rollout));
          return result;
        });
      }),
    ),
  );
  registerJobActions(context, log, cloud, guarded);
}
