// Wires the Cloud view: sessions and one model per account, the tree that renders them, the firmware documents.
// The commands are in ../commands/.
import * as vscode from 'vscode';
import type { AccountStore } from '../accounts/accountStore';
import type { Log } from '../common/log';
import type { SandboxHost } from '../sandbox/sandboxHost';
import { CloudTreeProvider } from './cloudTreeProvider';
import { FIRMWARE_SCHEME, FirmwareDocuments } from './firmwareDocuments';
import { CloudModels, type SandboxMode } from './model/cloudModels';
import { Sessions } from './model/sessions';
import type { CloudNode } from './nodes/node';

export interface CloudView {
  provider: CloudTreeProvider;
  view: vscode.TreeView<CloudNode>;
  models: CloudModels;
  sessions: Sessions;
  docs: FirmwareDocuments;
}

export function registerCloudView(context: vscode.ExtensionContext, log: Log, store: AccountStore, sandbox: SandboxHost): CloudView {
  const sessions = new Sessions(store, sandbox, log);
  const models = new CloudModels(store, sessions, {
    sandboxMode: () => vscode.workspace.getConfiguration('ota.sandbox').get<SandboxMode>('show', 'whenNoAccount'),
    intervals: () => {
      const c = vscode.workspace.getConfiguration('ota.cloud');
      return { baseMs: c.get<number>('refreshIntervalSeconds', 5) * 1000, maxMs: c.get<number>('maxRefreshIntervalSeconds', 60) * 1000 };
    },
    warn: (message) => log.warn(message),
  });
  const provider = new CloudTreeProvider(models, log);
  const view = vscode.window.createTreeView('ota.cloud', { treeDataProvider: provider, showCollapseAll: true });
  const docs = new FirmwareDocuments();
  models.setPolling(view.visible);

  context.subscriptions.push(
    models,
    provider,
    view,
    docs,
    vscode.workspace.registerTextDocumentContentProvider(FIRMWARE_SCHEME, docs),
    view.onDidChangeVisibility((e) => models.setPolling(e.visible)),
    store.onDidChange(() => provider.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const restart = ['port', 'failureRate', 'simulationIntervalMs'].some((k) => e.affectsConfiguration(`ota.sandbox.${k}`));
      if (restart) {
        // Nothing may use the old sandbox from now on; the next use starts the new one once the old one has stopped.
        sessions.clear();
        void sandbox.stop().then(() => provider.refresh());
      } else if (e.affectsConfiguration('ota.sandbox.show')) provider.refresh();
    }),
  );
  return { provider, view, models, sessions, docs };
}
