// Reads and writes accounts: settings hold everything but the secrets, which live only in SecretStorage.
import * as vscode from 'vscode';
import { registerSecret } from '../common/log';
import { parseAccount, type AccountSettings } from './accountTypes';

const SETTING = 'accounts';

/** Secret names per account: the AccessKey secret, the IoTaaP password or token. */
export type SecretName = 'accessKeySecret' | 'password' | 'token';

export class AccountStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`ota.${SETTING}`)) this.changed.fire();
      }),
      secrets.onDidChange((e) => {
        if (e.key.startsWith('ota.account/')) this.changed.fire();
      }),
    );
  }

  /** The configured accounts, and a message for each entry that could not be read. */
  list(): { accounts: AccountSettings[]; problems: string[] } {
    const raw = vscode.workspace.getConfiguration('ota').get<unknown[]>(SETTING, []);
    const accounts: AccountSettings[] = [];
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const entry of Array.isArray(raw) ? raw : []) {
      const parsed = parseAccount(entry);
      if (typeof parsed === 'string') problems.push(`Setting ota.accounts: ${parsed}.`);
      else if (seen.has(parsed.id)) problems.push(vscode.l10n.t('Setting ota.accounts: the id "{0}" is used twice.', parsed.id));
      else {
        seen.add(parsed.id);
        accounts.push(parsed);
      }
    }
    return { accounts, problems };
  }

  get(id: string): AccountSettings | undefined {
    return this.list().accounts.find((a) => a.id === id);
  }

  async save(account: AccountSettings, secrets: Partial<Record<SecretName, string>>): Promise<void> {
    for (const [name, value] of Object.entries(secrets) as [SecretName, string | undefined][]) {
      if (value === undefined) continue;
      if (value === '') await this.secrets.delete(secretKey(account.id, name));
      else {
        registerSecret(value);
        await this.secrets.store(secretKey(account.id, name), value);
      }
    }
    const config = vscode.workspace.getConfiguration('ota');
    const current = (config.get<unknown[]>(SETTING, []) ?? []).filter(
      (e) => !(typeof e === 'object' && e !== null && (e as { id?: unknown }).id === account.id),
    );
    const index = (config.get<unknown[]>(SETTING, []) ?? []).findIndex(
      (e) => typeof e === 'object' && e !== null && (e as { id?: unknown }).id === account.id,
    );
    const next = [...current];
    next.splice(index < 0 ? next.length : index, 0, { ...account });
    await config.update(SETTING, next, vscode.ConfigurationTarget.Global);
  }

  async remove(id: string): Promise<void> {
    for (const name of ['accessKeySecret', 'password', 'token'] as const) await this.secrets.delete(secretKey(id, name));
    const config = vscode.workspace.getConfiguration('ota');
    const next = (config.get<unknown[]>(SETTING, []) ?? []).filter(
      (e) => !(typeof e === 'object' && e !== null && (e as { id?: unknown }).id === id),
    );
    await config.update(SETTING, next, vscode.ConfigurationTarget.Global);
  }

  async secret(id: string, name: SecretName): Promise<string | undefined> {
    const value = await this.secrets.get(secretKey(id, name));
    registerSecret(value);
    return value;
  }

  dispose(): void {
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

export function secretKey(accountId: string, name: SecretName): string {
  return `ota.account/${accountId}/${name}`;
}
