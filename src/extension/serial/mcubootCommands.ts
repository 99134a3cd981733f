// MCUboot/SMP in the Serial view: Send SMP Echo, Reset over SMP and Show Image State on a port (its context menu or
// the palette), and the test-or-confirm choice asked when a flash uses the mcuboot protocol.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { openPort, type VirtualPort } from '../../core/serial/ports';
import { smpEcho, smpImageState, smpReset, type SmpCommandResult } from '../../core/serial/protocols/mcuboot/smpCommands';
import type { ByteLink } from '../../core/serial/byteLink';
import type { Log } from '../common/log';
import type { FlashController } from './flashController';
import { choosePort } from './flashChoices';
import { PortItem, type PortEntry } from './portsTreeProvider';

const CONFIRM_KEY = 'ota.mcuboot.confirm';

/**
 * Asks whether the new image is only tested (MCUboot reverts on the next reset unless the app confirms it) or made
 * permanent; remembers the answer per workspace. Undefined when the user dismisses the question.
 */
export async function chooseMcubootOptions(state: vscode.Memento): Promise<Record<string, unknown> | undefined> {
  const last = state.get<boolean>(CONFIRM_KEY, false);
  const items = [
    {
      label: 'Test the new image',
      description: last ? '' : 'last used',
      detail: 'MCUboot boots it once; it reverts on the next reset unless the app confirms itself',
      confirm: false,
    },
    {
      label: 'Confirm the new image',
      description: last ? 'last used' : '',
      detail: 'Once it runs, it is confirmed: MCUboot keeps it',
      confirm: true,
    },
  ];
  if (last) items.reverse();
  const picked = await vscode.window.showQuickPick(items, { title: 'After the upload, MCUboot should…' });
  if (!picked) return undefined;
  await state.update(CONFIRM_KEY, picked.confirm);
  return { confirm: picked.confirm };
}

export function registerMcubootCommands(
  context: vscode.ExtensionContext,
  controller: FlashController,
  ports: () => Promise<PortEntry[]>,
  virtualPorts: () => readonly VirtualPort[],
  log: Log,
): void {
  const run = async (arg: unknown, title: string, command: (link: ByteLink, signal: AbortSignal) => Promise<SmpCommandResult>): Promise<SmpCommandResult | undefined> => {
    const path = arg instanceof PortItem ? arg.port.path : typeof arg === 'string' ? arg : await choosePort(await ports(), context.workspaceState.get<string>('ota.flashPort'));
    if (!path) return undefined;
    if (controller.running) {
      void vscode.window.showWarningMessage(`A flash is running: wait for it to end before ${title.toLowerCase()} on ${path}.`);
      return undefined;
    }
    const baud = vscode.workspace.getConfiguration('ota.serial').get<number>('flashBaud', 115200);
    let result: SmpCommandResult;
    try {
      result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${title} on ${path}`, cancellable: true }, async (_p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        const link = await openPort(path, { baudRate: baud }, virtualPorts());
        try {
          return await command(link, abort.signal);
        } finally {
          await link.close().catch(() => undefined);
        }
      });
    } catch (e) {
      result = { ok: false, message: errorMessage(e) };
    }
    log.info(`${title}: ${result.message}`);
    if (result.ok) void vscode.window.showInformationMessage(result.message);
    else void vscode.window.showErrorMessage(`${title} on ${path}: ${result.message}`);
    return result;
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('ota.mcuboot.echo', (arg?: unknown) => run(arg, 'SMP echo', (link, signal) => smpEcho(link, 'hello from OTA', signal))),
    vscode.commands.registerCommand('ota.mcuboot.reset', (arg?: unknown) => run(arg, 'SMP reset', smpReset)),
    vscode.commands.registerCommand('ota.mcuboot.imageState', (arg?: unknown) => run(arg, 'MCUboot image state', smpImageState)),
  );
}
