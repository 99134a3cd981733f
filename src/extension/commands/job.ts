// Commands on an upgrade job of the Cloud view: cancel tasks by state, retry failed tasks, confirm waiting tasks,
// stop a dynamic job picking up devices. Each tells the account's model, which reloads the job in the tree.
import * as vscode from 'vscode';
import { cancelDynamicStrategy, cancelTasks, confirmTasks, retryFailedTasks } from '../../core/deploy';
import { jobTarget, type JobTarget } from '../cloud/targets';
import { need } from '../common/errors';
import { chooseAliyunAccount } from '../deploy/accountChoice';
import type { OtaCommand } from './command';
import type { Features } from './features';

export function jobCommands({ cloud }: Features): OtaCommand[] {
  const target = (arg: unknown, what = 'a job'): JobTarget => {
    const t = jobTarget(arg);
    if (!t) throw new Error(`Choose ${what} in the OTA Cloud view first.`);
    return t;
  };
  const clientOf = async (t: JobTarget) => (await chooseAliyunAccount(cloud.models, t.accountId)).client;
  const changed = (t: JobTarget) => cloud.models.get(t.accountId).jobChanged(t.job.id);

  return [
    {
      id: 'ota.job.cancel',
      run: async (arg?: unknown, states?: string[]) => {
        const t = target(arg);
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
              { title: `Cancel which tasks of job ${t.job.id}?`, canPickMany: true },
            ),
          ).map((i) => i.label);
        if (!chosen.length) return undefined;
        const done = await cancelTasks(await clientOf(t), t.job.id, chosen);
        void vscode.window.showInformationMessage(`Job ${t.job.id}: canceled its ${done.join(', ').toLowerCase()} tasks.`);
        await changed(t);
        return done;
      },
    },
    {
      id: 'ota.job.retryFailed',
      run: async (arg?: unknown) => {
        const t = target(arg);
        const ids = await retryFailedTasks(await clientOf(t), t.job.id);
        void vscode.window.showInformationMessage(ids.length ? `Job ${t.job.id}: ${ids.length} failed task(s) will be retried.` : `Job ${t.job.id} has no failed tasks.`);
        await changed(t);
        return ids;
      },
    },
    {
      id: 'ota.job.confirm',
      run: async (arg?: unknown) => {
        const t = target(arg);
        const ids = await confirmTasks(await clientOf(t), { jobId: t.job.id });
        void vscode.window.showInformationMessage(ids.length ? `Job ${t.job.id}: confirmed ${ids.length} task(s).` : `Job ${t.job.id} has no tasks waiting for confirmation.`);
        await changed(t);
        return ids;
      },
    },
    {
      id: 'ota.job.cancelStrategy',
      run: async (arg?: unknown) => {
        const t = target(arg, 'a dynamic job');
        await cancelDynamicStrategy(await clientOf(t), t.job.id);
        void vscode.window.showInformationMessage(`Job ${t.job.id} no longer picks up new devices.`);
        await changed(t);
      },
    },
  ];
}
