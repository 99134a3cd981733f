// Build, upload and deploy from VS Code: "OTA: Build, Upload and Deploy" chains the steps in one progress
// notification; "OTA: Upload Firmware" stops after the upload; the tree's firmware and job menus create jobs, delete
// firmware and act on tasks. Every failure says what exists now (DeployError), and a rollout is followed in the
// status bar until it ends.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { AliyunOtaClient } from '../../core/cloud/aliyun';
import {
  cancelDynamicStrategy,
  cancelTasks,
  confirmTasks,
  deleteFirmware,
  deploy,
  describeRollout,
  formatBytes,
  retryFailedTasks,
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
import { JobNode } from '../cloud/nodes/jobNode';
import type { Log } from '../log';
import { buildFirmware } from '../platformio/buildFirmware';
import type { Platformio } from '../platformio/registerPlatformio';
import { askProduct, askTarget, askVerification, askVersion, Dismissed, need } from './deployPrompts';
import { iotaapDeploy, type IotaapDeployArgs } from './iotaapDeploy';
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

  const aliyunAccount = async (accountId?: string): Promise<{ id: string; label: string; client: AliyunOtaClient }> => {
    const accounts = (await cloud.provider.accounts()).filter((a) => a.kind !== 'iotaap');
    let chosen = accountId ? accounts.find((a) => a.accountId === accountId) : accounts.length === 1 ? accounts[0] : undefined;
    if (!chosen) {
      if (!accounts.length) throw new Error('No Alibaba Cloud account (or sandbox) is shown in the Cloud view: add one first.');
      const picked = need(await vscode.window.showQuickPick(accounts.map((a) => ({ label: a.label, description: a.detail, node: a })), { title: 'Deploy with which account?' }));
      chosen = picked.node;
    }
    const session = await cloud.sessions.get(chosen.accountId);
    if (!session.aliyun) throw new Error(session.problem ?? `${chosen.label} cannot upload firmware.`);
    return { id: chosen.accountId, label: chosen.label, client: session.aliyun };
  };

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
          const built = await buildFirmware(pio.tasks, target);
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

  const guarded = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R | undefined> => {
    try {
      return await f(...a);
    } catch (e) {
      status.hide();
      if (e instanceof Dismissed) return undefined;
      const message = errorMessage(e);
      log.error(message);
      const build = /build/i.test(message) && /nothing was uploaded|exited with code/i.test(message);
      void vscode.window.showErrorMessage(message, ...(build ? ['Show Problems'] : [])).then((a) => {
        if (a) void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
      return undefined;
    }
  };

  const clientOf = async (node: { accountId: string }): Promise<AliyunOtaClient> => (await aliyunAccount(node.accountId)).client;

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
    vscode.commands.registerCommand(
      'ota.firmware.delete',
      guarded(async (node?: FirmwareNode, confirmed?: boolean) => {
        if (!(node instanceof FirmwareNode)) throw new Error('Choose a firmware package in the OTA Cloud view first.');
        const f = node.firmware;
        if (confirmed !== true) {
          const answer = await vscode.window.showWarningMessage(`Delete firmware ${f.name} ${f.version} (ID ${f.id}) from the cloud? This cannot be undone.`, { modal: true }, 'Delete');
          if (answer !== 'Delete') return false;
        }
        await deleteFirmware(await clientOf(node), f.id);
        log.info(`Deleted firmware ${f.name} ${f.version} (${f.id})`);
        cloud.provider.refresh(node.parent);
        return true;
      }),
    ),
    vscode.commands.registerCommand(
      'ota.job.cancel',
      guarded(async (node?: JobNode, states?: string[]) => {
        if (!(node instanceof JobNode)) throw new Error('Choose a job in the OTA Cloud view first.');
        const chosen =
          states ??
          need(
            await vscode.window.showQuickPick(
              [
                { label: 'queued', picked: true },
                { label: 'notified', picked: true },
                { label: 'scheduled', picked: true },
                { label: 'unconfirmed', picked: true },
                { label: 'in-progress', description: 'devices already downloading may be left half-way' },
              ],
              { title: `Cancel which tasks of job ${node.job.id}?`, canPickMany: true },
            ),
          ).map((i) => i.label);
        if (!chosen.length) return undefined;
        const done = await cancelTasks(await clientOf(node), node.job.id, chosen);
        void vscode.window.showInformationMessage(`Job ${node.job.id}: canceled its ${done.join(', ').toLowerCase()} tasks.`);
        await node.reload().catch(() => false);
        cloud.provider.refresh(node);
        return done;
      }),
    ),
    vscode.commands.registerCommand(
      'ota.job.retryFailed',
      guarded(async (node?: JobNode) => {
        if (!(node instanceof JobNode)) throw new Error('Choose a job in the OTA Cloud view first.');
        const ids = await retryFailedTasks(await clientOf(node), node.job.id);
        void vscode.window.showInformationMessage(ids.length ? `Job ${node.job.id}: ${ids.length} failed task(s) will be retried.` : `Job ${node.job.id} has no failed tasks.`);
        cloud.provider.refresh(node);
        return ids;
      }),
    ),
    vscode.commands.registerCommand(
      'ota.job.confirm',
      guarded(async (node?: JobNode) => {
        if (!(node instanceof JobNode)) throw new Error('Choose a job in the OTA Cloud view first.');
        const ids = await confirmTasks(await clientOf(node), { jobId: node.job.id });
        void vscode.window.showInformationMessage(ids.length ? `Job ${node.job.id}: confirmed ${ids.length} task(s).` : `Job ${node.job.id} has no tasks waiting for confirmation.`);
        cloud.provider.refresh(node);
        return ids;
      }),
    ),
    vscode.commands.registerCommand(
      'ota.job.cancelStrategy',
      guarded(async (node?: JobNode) => {
        if (!(node instanceof JobNode)) throw new Error('Choose a dynamic job in the OTA Cloud view first.');
        await cancelDynamicStrategy(await clientOf(node), node.job.id);
        void vscode.window.showInformationMessage(`Job ${node.job.id} no longer picks up new devices.`);
        cloud.provider.refresh(node);
      }),
    ),
  );
}
