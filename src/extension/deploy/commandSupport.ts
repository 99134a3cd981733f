// What the deploy commands share: choosing the Alibaba-style account to use, and turning failures into one error
// message (with a way to the Problems view for build errors) instead of an exception.
import * as vscode from 'vscode';
import type { AliyunOtaClient } from '../../core/cloud/aliyun';
import { errorMessage } from '../../core/errors';
import type { CloudView } from '../cloud/registerCloudView';
import type { Log } from '../common/log';
import { Dismissed, need } from './deployPrompts';

/** The account given, the only one, or the one the user picks, with its client. */
export async function chooseAliyunAccount(cloud: CloudView, accountId?: string): Promise<{ id: string; label: string; client: AliyunOtaClient }> {
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
}

export type GuardedCommand = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => (...a: A) => Promise<R | undefined>;

/** Wraps a command: a dismissed question ends it quietly; any other failure is logged and shown once. */
export function guardCommand(log: Log, onError: () => void = () => undefined): GuardedCommand {
  return <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R | undefined> => {
      try {
        return await f(...a);
      } catch (e) {
        onError();
        if (e instanceof Dismissed) return undefined;
        const message = errorMessage(e);
        log.error(message);
        const build = /build/i.test(message) && /nothing was uploaded|exited with code/i.test(message);
        void vscode.window.showErrorMessage(message, ...(build ? ['Show Problems'] : [])).then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
        });
        return undefined;
      }
    };
}
