// Wires the Serial view (live port list, with the sandbox's virtual MCUs), the flash controller and what flashes
// through it. The commands are in ../commands/port.ts and ../commands/view.ts.
import * as vscode from 'vscode';
import type { VirtualPort } from '../../core/serial/ports';
import { createVirtualMcubootPort, createVirtualQuecthingPort, createVirtualStm32Port, createVirtualYmodemPort } from '../../core/serial/virtual/virtualDevices';
import type { Log } from '../common/log';
import type { CloudImageSource } from '../images/cloudImages';
import { FlashController } from './flashController';
import { createFlasher, type Flasher } from './flashCommands';
import { listPortEntries } from './portEntries';
import { PortsTreeProvider, type PortEntry } from './portsTreeProvider';
import { SerialMonitorBridge } from './serialMonitor';

export interface SerialView {
  provider: PortsTreeProvider;
  controller: FlashController;
  flasher: Flasher;
  /** The ports the view lists now (real, typed and virtual). */
  ports: () => Promise<PortEntry[]>;
  /** The virtual devices offered now (none when the setting turns them off). */
  virtualPorts: () => readonly VirtualPort[];
}

/** `cloudImages` lists the Cloud view's firmware, offered as images to flash. */
export function registerSerialView(context: vscode.ExtensionContext, log: Log, cloudImages?: CloudImageSource): SerialView {
  const config = () => vscode.workspace.getConfiguration('ota.serial');
  // Created once: a virtual device keeps its identity (and its "installed" version) across flashes.
  const virtual: VirtualPort[] = [createVirtualQuecthingPort(), createVirtualYmodemPort(), createVirtualStm32Port(), createVirtualMcubootPort()];
  const virtualPorts = () => (config().get<boolean>('virtualDevices', true) ? virtual : []);
  const list = () =>
    listPortEntries({
      showAll: config().get<boolean>('showAllPorts', false),
      extraPaths: config().get<string[]>('extraPorts', []),
      virtualPorts: virtualPorts(),
    });
  const provider = new PortsTreeProvider(list, log);
  const view = vscode.window.createTreeView('ota.serial', { treeDataProvider: provider, canSelectMany: true });
  const controller = new FlashController(context.extensionUri, log, new SerialMonitorBridge(context), virtualPorts);
  provider.setVisible(view.visible);
  context.subscriptions.push(
    provider,
    view,
    controller,
    view.onDidChangeVisibility((e) => provider.setVisible(e.visible)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('ota.serial')) provider.refresh();
    }),
  );
  return { provider, controller, flasher: createFlasher(context.workspaceState, controller, list, log, cloudImages), ports: list, virtualPorts };
}
