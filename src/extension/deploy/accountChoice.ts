// Which account a cloud write uses: the one given, the only one that can do it, or the one the user picks, with the
// client of its session.
import * as vscode from 'vscode';
import type { AliyunOtaClient } from '../../core/cloud/aliyun';
import type { IotaapClient } from '../../core/cloud/iotaap';
import type { CloudModels, AccountEntry } from '../cloud/model/cloudModels';
import { need } from '../common/errors';

async function choose(models: CloudModels, kinds: readonly AccountEntry['kind'][], accountId: string | undefined, none: string, title: string): Promise<AccountEntry> {
  const accounts = models.accounts().accounts.filter((a) => kinds.includes(a.kind));
  const chosen = accountId ? accounts.find((a) => a.id === accountId) : accounts.length === 1 ? accounts[0] : undefined;
  if (chosen) return chosen;
  if (!accounts.length) throw new Error(none);
  return need(await vscode.window.showQuickPick(accounts.map((a) => ({ label: a.label, description: a.detail, a })), { title })).a;
}

/** An Alibaba-style account (or the sandbox) and its client with write operations. */
export async function chooseAliyunAccount(models: CloudModels, accountId?: string): Promise<{ id: string; label: string; client: AliyunOtaClient }> {
  const chosen = await choose(models, ['aliyun', 'sandbox'], accountId, vscode.l10n.t('No Alibaba Cloud account (or sandbox) is shown in the Cloud view: add one first.'), vscode.l10n.t('Deploy with which account?'));
  const session = await models.get(chosen.id).session();
  if (!session.aliyun) throw new Error(session.problem ?? vscode.l10n.t('{0} cannot upload firmware.', chosen.label));
  return { id: chosen.id, label: chosen.label, client: session.aliyun };
}

/** An IoTaaP account (or the sandbox) and its client. */
export async function chooseIotaapAccount(models: CloudModels, accountId?: string): Promise<{ id: string; label: string; client: IotaapClient }> {
  const chosen = await choose(models, ['iotaap', 'sandbox'], accountId, vscode.l10n.t('No IoTaaP account (or sandbox) is shown in the Cloud view: add one first.'), vscode.l10n.t('Deploy with which IoTaaP account?'));
  const session = await models.get(chosen.id).session();
  if (!session.iotaap) throw new Error(session.problem ?? vscode.l10n.t('{0} has no IoTaaP devices.', chosen.label));
  return { id: chosen.id, label: chosen.label, client: session.iotaap };
}
