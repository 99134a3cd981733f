// The questions that add or edit a cloud account, each skipped when its answer was given (automation). Everything
// but the secrets goes to the `ota.accounts` setting; AccessKey secrets, passwords and tokens go to SecretStorage
// only. The commands are in ../commands/account.ts.
import * as vscode from 'vscode';
import { Dismissed, need } from '../common/errors';
import { validateEndpoint } from './accountValidation';
import type { SecretName } from './accountStore';
import { newAccountId, type AliyunAccountSettings, type IotaapAccountSettings } from './accountTypes';

export const REGIONS = [
  'cn-shanghai',
  'cn-beijing',
  'cn-shenzhen',
  'cn-hangzhou',
  'ap-southeast-1',
  'ap-northeast-1',
  'us-east-1',
  'us-west-1',
  'eu-central-1',
];

export interface AliyunAccountArgs {
  label?: string;
  regionId?: string;
  endpoint?: string;
  iotInstanceId?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
}

export interface IotaapAccountArgs {
  label?: string;
  baseUrl?: string;
  email?: string;
  password?: string;
  token?: string;
}

async function ask(options: vscode.InputBoxOptions): Promise<string> {
  return need(await vscode.window.showInputBox({ ignoreFocusOut: true, ...options })).trim();
}

async function pickRegion(current?: string): Promise<string> {
  const items: vscode.QuickPickItem[] = REGIONS.map((r) => ({ label: r, picked: r === current }));
  const qp = vscode.window.createQuickPick();
  qp.title = vscode.l10n.t('Alibaba Cloud region');
  qp.placeholder = vscode.l10n.t('Pick the region of your IoT Platform instance, or type another region id');
  qp.items = items;
  qp.ignoreFocusOut = true;
  if (current) qp.value = current;
  const chosen = await new Promise<string | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]?.label ?? (qp.value.trim() || undefined)));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (!chosen) throw new Dismissed();
  return chosen;
}

export async function promptAliyunAccount(existing?: AliyunAccountSettings, given: AliyunAccountArgs = {}) {
  const label = given.label ?? (await ask({ title: vscode.l10n.t('Account name'), prompt: vscode.l10n.t('How the Cloud view names this account'), value: existing?.label ?? 'Alibaba Cloud', validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a name')) }));
  const regionId = given.regionId ?? (await pickRegion(existing?.regionId));
  const endpoint = given.endpoint ?? (await ask({ title: vscode.l10n.t('Endpoint (optional)'), prompt: vscode.l10n.t('Leave empty for https://iot.{0}.aliyuncs.com/, or enter an Alibaba-compatible endpoint URL', regionId), value: existing?.endpoint ?? '', validateInput: validateEndpoint }));
  const iotInstanceId = given.iotInstanceId ?? (await ask({ title: vscode.l10n.t('IoT instance id (optional)'), prompt: vscode.l10n.t('Enterprise instances only (iot-...); leave empty for the public instance'), value: existing?.iotInstanceId ?? '' }));
  const accessKeyId = given.accessKeyId ?? (await ask({ title: vscode.l10n.t('AccessKey ID'), prompt: vscode.l10n.t('The AccessKey ID of a RAM user allowed to use IoT Platform OTA'), value: existing?.accessKeyId ?? '', validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter the AccessKey ID')) }));
  const accessKeySecret = given.accessKeySecret ?? (await ask({ title: vscode.l10n.t('AccessKey secret'), prompt: existing ? vscode.l10n.t('Leave empty to keep the stored secret') : vscode.l10n.t('Stored in VS Code SecretStorage only'), password: true, validateInput: (v) => (existing || v.trim() ? undefined : vscode.l10n.t('Enter the AccessKey secret')) }));
  const account: AliyunAccountSettings = { id: existing?.id ?? newAccountId('aliyun', label), provider: 'aliyun', label, regionId, accessKeyId };
  if (endpoint) account.endpoint = endpoint;
  if (iotInstanceId) account.iotInstanceId = iotInstanceId;
  const secrets: Partial<Record<SecretName, string>> = {};
  if (accessKeySecret) secrets.accessKeySecret = accessKeySecret;
  return { account, secrets };
}

export async function promptIotaapAccount(existing?: IotaapAccountSettings, given: IotaapAccountArgs = {}) {
  const label = given.label ?? (await ask({ title: vscode.l10n.t('Account name'), value: existing?.label ?? 'IoTaaP', validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a name')) }));
  let email = given.email;
  if (email === undefined && given.token === undefined) {
    email = await ask({ title: vscode.l10n.t('IoTaaP email (optional)'), prompt: vscode.l10n.t('Sign in with email and password; leave empty to use an API token instead'), value: existing?.email ?? '' });
  }
  const secrets: Partial<Record<SecretName, string>> = {};
  if (email) {
    const password = given.password ?? (await ask({ title: vscode.l10n.t('Password for {0}', email), prompt: existing ? vscode.l10n.t('Leave empty to keep the stored password') : vscode.l10n.t('Stored in VS Code SecretStorage only'), password: true, validateInput: (v) => (existing || v ? undefined : vscode.l10n.t('Enter the password')) }));
    if (password) secrets.password = password;
    secrets.token = '';
  } else {
    const token = given.token ?? (await ask({ title: vscode.l10n.t('IoTaaP token'), prompt: existing ? vscode.l10n.t('Leave empty to keep the stored token') : vscode.l10n.t('A bearer token (valid 30 days); stored in SecretStorage only'), password: true, validateInput: (v) => (existing || v ? undefined : vscode.l10n.t('Enter the token')) }));
    if (token) secrets.token = token;
    secrets.password = '';
  }
  const account: IotaapAccountSettings = { id: existing?.id ?? newAccountId('iotaap', label), provider: 'iotaap', label };
  if (email) account.email = email;
  if (given.baseUrl ?? existing?.baseUrl) account.baseUrl = given.baseUrl ?? existing?.baseUrl;
  return { account, secrets };
}
