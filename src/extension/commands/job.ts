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
  const target = (arg: unknown, dynamic = false): JobTarget => {
    const t = jobTarget(arg);
    if (!t) throw new Error(dynamic ? vscode.l10n.t('Choose a dynamic job in the OTA Cloud view first.') : vscode.l10n.t('Choose a job in the OTA Cloud view first.'));
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
                { label: vscode.l10n.t('queued'), state: 'queued', picked: true },
                { label: vscode.l10n.t('notified'), state: 'notified', picked: true },
                { label: vscode.l10n.t('scheduled'), state: 'scheduled', picked: true },
                { label: vscode.l10n.t('unconfirmed'), state: 'unconfirmed', picked: true },
                { label: vscode.l10n.t('in-progress'), state: 'in-progress', description: vscode.l10n.t('devices already downloading may be left half-way') },
              ],
              { title: vscode.l10n.t('Cancel which tasks of job {0}?', t.job.id), canPickMany: true },
            ),
          ).map((i) => i.state);
        if (!chosen.length) return undefined;
        const done = await cancelTasks(await clientOf(t), t.job.id, chosen);
        void vscode.window.showInformationMessage(vscode.l10n.t('Job {0}: canceled its {1} tasks.', t.job.id, done.join(', ').toLowerCase()));
        await changed(t);
        return done;
      },
    },
    {
      id: 'ota.job.retryFailed',
      run: async (arg?: unknown) => {
        const t = target(arg);
        const ids = await retryFailedTasks(await clientOf(t), t.job.id);
        void vscode.window.showInformationMessage(ids.length ? vscode.l10n.t('Job {0}: {1} failed task(s) will be retried.', t.job.id, ids.length) : vscode.l10n.t('Job {0} has no failed tasks.', t.job.id));
        await changed(t);
        return ids;
      },
    },
    {
      id: 'ota.job.confirm',
      run: async (arg?: unknown) => {
        const t = target(arg);
        const ids = await confirmTasks(await clientOf(t), { jobId: t.job.id });
        void vscode.window.showInformationMessage(ids.length ? vscode.l10n.t('Job {0}: confirmed {1} task(s).', t.job.id, ids.length) : vscode.l10n.t('Job {0} has no tasks waiting for confirmation.', t.job.id));
        await changed(t);
        return ids;
      },
    },
    {
      id: 'ota.job.cancelStrategy',
      run: async (arg?: unknown) => {
        const t = target(arg, true);
        await cancelDynamicStrategy(await clientOf(t), t.job.id);
        void vscode.window.showInformationMessage(vscode.l10n.t('Job {0} no longer picks up new devices.', t.job.id));
        await changed(t);
      },
    },
  ];
}
