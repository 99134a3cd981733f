// Commands of the views themselves: reload the Cloud view (or retry one failing node), load more device rows,
// reload the port list, copy a port's path, show the OTA log.
import * as vscode from 'vscode';
import { ErrorNode } from '../cloud/nodes/errorNode';
import { LoadMoreNode } from '../cloud/nodes/taskNodes';
import { PortItem } from '../serial/portsTreeProvider';
import type { OtaCommand } from './command';
import type { Features } from './features';

export function viewCommands({ log, cloud, serial }: Features): OtaCommand[] {
  return [
    { id: 'ota.log.show', run: () => log.show() },
    { id: 'ota.cloud.refresh', run: () => cloud.provider.refresh() },
    {
      id: 'ota.cloud.retry',
      run: (node?: unknown) => cloud.provider.refresh(node instanceof ErrorNode ? node.retryTarget : undefined),
    },
    {
      id: 'ota.cloud.loadMore',
      run: async (node?: unknown) => {
        if (!(node instanceof LoadMoreNode) || !node.accountId) return;
        await cloud.models.get(node.accountId).loadMore(node.group.jobId, node.group.status);
      },
    },
    { id: 'ota.serial.refresh', run: () => serial.provider.refresh() },
    {
      id: 'ota.serial.copyPath',
      run: async (item?: unknown) => {
        if (!(item instanceof PortItem)) return;
        await vscode.env.clipboard.writeText(item.port.path);
        void vscode.window.setStatusBarMessage(`Copied ${item.port.path}`, 3000);
      },
    },
  ];
}
