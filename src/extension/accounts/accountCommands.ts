// Commands to add, edit and remove cloud accounts. Everything but the secrets goes to the `ota.accounts` setting;
// AccessKey secrets, passwords and tokens go to SecretStorage only. Each command also accepts its answers as an
// argument object, for automation.
import * as vscode from 'vscode';
import { validateEndpoint } from './accountValidation';
import type { AccountStore, SecretName } from './accountStore';
import { newAccountId, type AccountSettings, type AliyunAccountSettings, type IotaapAccountSettings } from './accountTypes';

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

class Cancelled extends Error {}

async function ask(options: vscode.InputBoxOptions): Promise<string> {
  const value = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (value === undefined) throw new Cancelled();
  return value.trim();
}

async function pickRegion(current?: string): Promise<string> {
  const items: vscode.QuickPickItem[] = REGIONS.map((r) => ({ label: r, picked: r === current }));
  const qp = vscode.window.createQuickPick();
  qp.title = 'Alibaba Cloud region';
  qp.placeholder = 'Pick the region of your IoT Platform instance, or type another region id';
  qp.items = items;
  qp.ignoreFocusOut = true;
  if (current) qp.value = current;
  const chosen = await new Promise<string | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]?.label ?? (qp.value.trim() || undefined)));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (!chosen) throw new Cancelled();
  return chosen;
}

export async function promptAliyunAccount(existing?: AliyunAccountSettings, given: AliyunAccountArgs = {}) {
  const label = given.label ?? (await ask({ title: 'Account name', prompt: 'How the Cloud view names this account', value: existing?.label ?? 'Alibaba Cloud', validateInput: (v) => (v.trim() ? undefined : 'Enter a name') }));
  const regionId = given.regionId ?? (await pickRegion(existing?.regionId));
  const endpoint = given.endpoint ?? (await ask({ title: 'Endpoint (optional)', prompt: `Leave empty for https://iot.${regionId}.aliyuncs.com/, or enter an Alibaba-compatible endpoint URL`, value: existing?.endpoint ?? '', validateInput: validateEndpoint }));
  const iotInstanceId = given.iotInstanceId ?? (await ask({ title: 'IoT instance id (optional)', prompt: 'Enterprise instances only (iot-...); leave empty for the public instance', value: existing?.iotInstanceId ?? '' }));
  const accessKeyId = given.accessKeyId ?? (await ask({ title: 'AccessKey ID', prompt: 'The AccessKey ID of a RAM user allowed to use IoT Platform OTA', value: existing?.accessKeyId ?? '', validateInput: (v) => (v.trim() ? undefined : 'Enter the AccessKey ID') }));
  const accessKeySecret = given.accessKeySecret ?? (await ask({ title: 'AccessKey secret', prompt: existing ? 'Leave empty to keep the stored secret' : 'Stored in VS Code SecretStorage only', password: true, validateInput: (v) => (existing || v.trim() ? undefined : 'Enter the AccessKey secret') }));
  const account: AliyunAccountSettings = { id: existing?.id ?? newAccountId('aliyun', label), provider: 'aliyun', label, regionId, accessKeyId };
  if (endpoint) account.endpoint = endpoint;
  if (iotInstanceId) account.iotInstanceId = iotInstanceId;
  const secrets: Partial<Record<SecretName, string>> = {};
  if (accessKeySecret) secrets.accessKeySecret = accessKeySecret;
  return { account, secrets };
}

export async function promptIotaapAccount(existing?: IotaapAccountSettings, given: IotaapAccountArgs = {}) {
  const label = given.label ?? (await ask({ title: 'Account name', value: existing?.label ?? 'IoTaaP', validateInput: (v) => (v.trim() ? undefined : 'Enter a name') }));
  let email = given.email;
  if (email === undefined && given.token === undefined) {
    email = await ask({ title: 'IoTaaP email (optional)', prompt: 'Sign in with email and password; leave empty to use an API token instead', value: existing?.email ?? '' });
  }
  const secrets: Partial<Record<SecretName, string>> = {};
  if (email) {
    const password = given.password ?? (await ask({ title: `Password for ${email}`, prompt: existing ? 'Leave empty to keep the stored password' : 'Stored in VS Code SecretStorage only', password: true, validateInput: (v) => (existing || v ? undefined : 'Enter the password') }));
    if (password) secrets.password = password;
    secrets.token = '';
  } else {
    const token = given.token ?? (await ask({ title: 'IoTaaP token', prompt: existing ? 'Leave empty to keep the stored token' : 'A bearer token (valid 30 days); stored in SecretStorage only', password: true, validateInput: (v) => (existing || v ? undefined : 'Enter the token') }));
    if (token) secrets.token = token;
    secrets.password = '';
  }
  const account: IotaapAccountSettings = { id: existing?.id ?? newAccountId('iotaap', label), provider: 'iotaap', label };
  if (email) account.email = email;
  if (given.baseUrl ?? existing?.baseUrl) account.baseUrl = given.baseUrl ?? existing?.baseUrl;
  return { account, secrets };
}

export function registerAccountCommands(
  context: vscode.ExtensionContext,
  store: AccountStore,
  onChanged: (accountId: string) => void,
  pickAccountId: (arg: unknown) => Promise<string | undefined>,
): void {
  const run = async (f: () => Promise<{ account: AccountSettings; secrets: Partial<Record<SecretName, string>> }>) => {
    try {
      const { account, secrets } = await f();
      await store.save(account, secrets);
      onChanged(account.id);
      return account.id;
    } catch (e) {
      if (e instanceof Cancelled) return undefined;
      throw e;
    }
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('ota.cloud.addAlibabaAccount', (args?: AliyunAccountArgs) =>
      run(() => promptAliyunAccount(undefined, isObject(args) ? args : {})),
    ),
    vscode.commands.registerCommand('ota.cloud.addIotaapAccount', (args?: IotaapAccountArgs) =>
      run(() => promptIotaapAccount(undefined, isObject(args) ? args : {})),
    ),
    vscode.commands.registerCommand('ota.cloud.editAccount', async (arg?: unknown) => {
      const id = await pickAccountId(arg);
      const account = id ? store.get(id) : undefined;
      if (!account) return undefined;
      return run(() => (account.provider === 'aliyun' ? promptAliyunAccount(account) : promptIotaapAccount(account)));
    }),
    vscode.commands.registerCommand('ota.cloud.removeAccount', async (arg?: unknown) => {
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
      onChanged(account.id);
    }),
  );
}

function isObject(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !('id' in v && 'toTreeItem' in v);
}
