// Commands of the views themselves: reload the Cloud view (or retry one failing node), load more device rows,
// reload the port list, copy a port's path, show the OTA log.
import * as vscode from 'vscode';
import { loadMoreTarget, retryTarget } from '../cloud/targets';
import { portPath } from '../serial/targets';
import type { OtaCommand } from './command';
import type { Features } from './features';

export function viewCommands({ log, cloud, serial }: Features): OtaCommand[] {
  return [
    { id: 'ota.log.show', run: () => log.show() },
    { id: 'ota.cloud.refresh', run: () => cloud.provider.refresh() },
    {
      id: 'ota.cloud.retry',
      run: (node?: unknown) => cloud.provider.refresh(retryTarget(node)),
    },
    {
      id: 'ota.cloud.loadMore',
      run: async (node?: unknown) => {
        const t = loadMoreTarget(node);
        if (t) await cloud.models.get(t.accountId).loadMore(t.jobId, t.status);
      },
    },
    { id: 'ota.serial.refresh', run: () => serial.provider.refresh() },
    {
      id: 'ota.serial.copyPath',
      run: async (item?: unknown) => {
        const path = portPath(item);
        if (!path) return;
        await vscode.env.clipboard.writeText(path);
        void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', path), 3000);
      },
    },
  ];
}
