// Commands on cloud accounts: add (Alibaba Cloud or IoTaaP), edit, remove. Each also accepts its answers as an
// argument object, for automation.
import * as vscode from 'vscode';
import { promptAliyunAccount, promptIotaapAccount, type AliyunAccountArgs, type IotaapAccountArgs } from '../accounts/accountPrompts';
import type { SecretName } from '../accounts/accountStore';
import type { AccountSettings } from '../accounts/accountTypes';
import { accountTarget, isCloudNode } from '../cloud/targets';
import type { OtaCommand } from './command';
import type { Features } from './features';

function answers<T extends object>(v: unknown): T {
  return typeof v === 'object' && v !== null && !isCloudNode(v) ? (v as T) : ({} as T);
}

export function accountCommands({ store, cloud }: Features): OtaCommand[] {
  // Every connection is rebuilt: the edited account's clients, and the sandbox that shows only without accounts.
  const changed = () => cloud.provider.refresh();
  const save = async (ask: () => Promise<{ account: AccountSettings; secrets: Partial<Record<SecretName, string>> }>) => {
    const { account, secrets } = await ask();
    await store.save(account, secrets);
    changed();
    return account.id;
  };
  /** The account of the node the command was run on, else the one the user picks. */
  const pickAccountId = async (arg: unknown): Promise<string | undefined> => {
    const fromNode = accountTarget(arg);
    if (fromNode) return fromNode;
    const { accounts } = store.list();
    if (!accounts.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No cloud account is configured yet: use "OTA: Add Alibaba Cloud Account" or "OTA: Add IoTaaP Account".'));
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      accounts.map((a) => ({ label: a.label, description: a.provider === 'aliyun' ? `Alibaba Cloud · ${a.regionId}` : 'IoTaaP', id: a.id })),
      { title: vscode.l10n.t('Choose an account') },
    );
    return pick?.id;
  };

  return [
    { id: 'ota.cloud.addAlibabaAccount', run: (args?: unknown) => save(() => promptAliyunAccount(undefined, answers<AliyunAccountArgs>(args))) },
    { id: 'ota.cloud.addIotaapAccount', run: (args?: unknown) => save(() => promptIotaapAccount(undefined, answers<IotaapAccountArgs>(args))) },
    {
      id: 'ota.cloud.editAccount',
      run: async (arg?: unknown) => {
        const id = await pickAccountId(arg);
        const account = id ? store.get(id) : undefined;
        if (!account) return undefined;
        return save(() => (account.provider === 'aliyun' ? promptAliyunAccount(account) : promptIotaapAccount(account)));
      },
    },
    {
      id: 'ota.cloud.removeAccount',
      run: async (arg?: unknown) => {
        const id = await pickAccountId(arg);
        const account = id ? store.get(id) : undefined;
        if (!account) return;
        const answer = await vscode.window.showWarningMessage(
          `Remove the account "${account.label}"? Its settings and stored secrets are deleted; nothing changes in the cloud.`,
          { modal: true },
          'Remove',
        );
        if (answer !== 'Remove') return;
        await store.remove(account.id);
        changed();
      },
    },
  ];
}
