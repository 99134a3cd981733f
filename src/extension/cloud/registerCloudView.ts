// Wires the Cloud view: accounts, sessions, the tree and its commands.
import * as vscode from 'vscode';
import type { AccountStore } from '../accounts/accountStore';
import { registerAccountCommands } from '../accounts/accountCommands';
import type { Log } from '../common/log';
import type { SandboxHost } from '../sandbox/sandboxHost';
import { CloudTreeProvider } from './cloudTreeProvider';
import { registerFirmwareCommands } from './firmwareCommands';
import { FIRMWARE_SCHEME, FirmwareDocuments } from './firmwareDocuments';
import { Sessions } from './model/sessions';
import { AccountNode } from './nodes/accountNode';
import { ErrorNode } from './nodes/errorNode';
import { LoadMoreNode } from './nodes/taskNodes';
import type { CloudNode } from './nodes/node';

export interface CloudView {
  provider: CloudTreeProvider;
  view: vscode.TreeView<CloudNode>;
  sessions: Sessions;
}

export function registerCloudView(context: vscode.ExtensionContext, log: Log, store: AccountStore, sandbox: SandboxHost): CloudView {
  const sessions = new Sessions(store, sandbox, log);
  const provider = new CloudTreeProvider(store, sessions, log);
  const view = vscode.window.createTreeView('ota.cloud', { treeDataProvider: provider, showCollapseAll: true });
  const docs = new FirmwareDocuments();
  provider.poller.setVisible(view.visible);

  const pickAccountId = async (arg: unknown): Promise<string | undefined> => {
    if (arg instanceof AccountNode || arg instanceof ErrorNode) return arg.accountId;
    const { accounts } = store.list();
    if (!accounts.length) {
      void vscode.window.showInformationMessage('No cloud account is configured yet: use "OTA: Add Alibaba Cloud Account" or "OTA: Add IoTaaP Account".');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      accounts.map((a) => ({ label: a.label, description: a.provider === 'aliyun' ? `Alibaba Cloud · ${a.regionId}` : 'IoTaaP', id: a.id })),
      { title: 'Choose an account' },
    );
    return pick?.id;
  };

  context.subscriptions.push(
    provider,
    view,
    docs,
    vscode.workspace.registerTextDocumentContentProvider(FIRMWARE_SCHEME, docs),
    view.onDidChangeVisibility((e) => provider.poller.setVisible(e.visible)),
    store.onDidChange(() => provider.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const restart = ['port', 'failureRate', 'simulationIntervalMs'].some((k) => e.affectsConfiguration(`ota.sandbox.${k}`));
      if (restart) {
        // Nothing may use the old sandbox from now on; the next use starts the new one once the old one has stopped.
        sessions.clear();
        void sandbox.stop().then(() => provider.refresh());
      }
      else if (e.affectsConfiguration('ota.sandbox.show')) provider.refresh();
    }),
    vscode.commands.registerCommand('ota.cloud.refresh', () => provider.refresh()),
    vscode.commands.registerCommand('ota.cloud.retry', (node?: ErrorNode) => {
      if (!(node instanceof ErrorNode)) return provider.refresh();
      if (node.retryTarget instanceof AccountNode) sessions.forget(node.accountId);
      provider.refresh(node.retryTarget);
    }),
    vscode.commands.registerCommand('ota.cloud.loadMore', (node?: LoadMoreNode) => {
      if (node instanceof LoadMoreNode) node.group.loadMore();
    }),
  );
  registerAccountCommands(
    context,
    store,
    (accountId) => {
      sessions.forget(accountId);
      provider.refresh();
    },
    pickAccountId,
  );
  registerFirmwareCommands(context, docs, log);
  return { provider, view, sessions };
}
