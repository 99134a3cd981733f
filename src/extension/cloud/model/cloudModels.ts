// Every account the Cloud view shows (the sandbox when the settings say so, then the configured accounts) and one
// AccountModel per account, built on the account's session. The tree, the poller and the commands read the same
// models, so what one loads or changes the others see. No VS Code import: the settings come in as functions.
import type { ProviderKind } from '../../../core/model';
import type { AccountStore } from '../../accounts/accountStore';
import { SANDBOX_ACCOUNT_ID } from '../../accounts/accountTypes';
import { AccountModel, type ModelChange, type PollIntervals } from './accountModel';
import { describeAccount, type Sessions } from './sessions';

export type SandboxMode = 'whenNoAccount' | 'always' | 'never';

export interface AccountEntry {
  id: string;
  label: string;
  kind: ProviderKind;
  /** "Alibaba Cloud · cn-shanghai", "IoTaaP", "local emulation, no account needed". */
  detail: string;
}

export interface CloudModelsOptions {
  sandboxMode: () => SandboxMode;
  intervals: () => PollIntervals;
  warn: (message: string) => void;
  pageSize?: number;
}

type Listener = (accountId: string | undefined, change: ModelChange) => void;

export class CloudModels {
  private readonly models = new Map<string, { model: AccountModel; subscription: { dispose(): void } }>();
  private readonly listeners = new Set<Listener>();
  private polling = true;

  constructor(
    private readonly store: AccountStore,
    readonly sessions: Sessions,
    private readonly options: CloudModelsOptions,
  ) {}

  /** The accounts to show, in order, and the settings problems to show after them. */
  accounts(): { accounts: AccountEntry[]; problems: string[] } {
    const { accounts, problems } = this.store.list();
    const mode = this.options.sandboxMode();
    const entries: AccountEntry[] = [];
    if (mode === 'always' || (mode === 'whenNoAccount' && accounts.length === 0)) {
      entries.push({ id: SANDBOX_ACCOUNT_ID, label: 'Sandbox', kind: 'sandbox', detail: 'local emulation, no account needed' });
    }
    for (const a of accounts) entries.push({ id: a.id, label: a.label, kind: a.provider, detail: describeAccount(a) });
    return { accounts: entries, problems };
  }

  /** The model of one account, made on first use. */
  get(accountId: string): AccountModel {
    let entry = this.models.get(accountId);
    if (!entry) {
      const model = new AccountModel(accountId, () => this.sessions.get(accountId), {
        intervals: this.options.intervals,
        warn: this.options.warn,
        ...(this.options.pageSize ? { pageSize: this.options.pageSize } : {}),
      });
      model.setPolling(this.polling);
      const subscription = model.onDidChange((change) => this.fire(accountId, change));
      entry = { model, subscription };
      this.models.set(accountId, entry);
    }
    return entry.model;
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(accountId: string | undefined, change: ModelChange): void {
    for (const l of [...this.listeners]) l(accountId, change);
  }

  /** Forgets one account's connection and data (it was edited, or retried after a failure). */
  forget(accountId: string): void {
    this.sessions.forget(accountId);
    this.models.get(accountId)?.model.refresh();
  }

  /** Forgets every connection and everything loaded: the next reads start over. */
  clear(): void {
    this.sessions.clear();
    for (const { model, subscription } of this.models.values()) {
      subscription.dispose();
      model.dispose();
    }
    this.models.clear();
    this.fire(undefined, { kind: 'account' });
  }

  /** Jobs are polled only while the Cloud view is visible. */
  setPolling(on: boolean): void {
    this.polling = on;
    for (const { model } of this.models.values()) model.setPolling(on);
  }

  /** How many moving jobs are followed, over all accounts. */
  get watchedJobs(): number {
    let n = 0;
    for (const { model } of this.models.values()) n += model.watchedJobs;
    return n;
  }

  dispose(): void {
    for (const { model, subscription } of this.models.values()) {
      subscription.dispose();
      model.dispose();
    }
    this.models.clear();
    this.listeners.clear();
  }
}
