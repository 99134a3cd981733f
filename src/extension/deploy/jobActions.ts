// Actions on firmware and jobs from the Cloud view's context menus: delete firmware (refused while a job runs),
// cancel tasks by state, retry failed tasks, confirm waiting tasks, stop a dynamic job picking up devices.
import * as vscode from 'vscode';
import { cancelDynamicStrategy, cancelTasks, confirmTasks, deleteFirmware, retryFailedTasks } from '../../core/deploy';
import type { AliyunOtaClient } from '../../core/cloud/aliyun';
import { FirmwareNode } from '../cloud/nodes/firmwareNode';
import { JobNode } from '../cloud/nodes/jobNode';
import type { CloudView } from '../cloud/registerCloudView';
import type { Log } from '../common/log';
import { chooseAliyunAccount, type GuardedCommand } from './commandSupport';
import { need } from './deployPrompts';

export function registerJobActions(context: vscode.ExtensionContext, log: Log, cloud: CloudView, guarded: GuardedCommand): void {
  const clientOf = async (node: { accountId: string }): Promise<AliyunOtaClient> => (await chooseAliyunAccount(cloud, node.accountId)).client;
  context.subscriptions.push(
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
