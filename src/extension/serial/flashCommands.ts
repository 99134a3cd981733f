// "OTA: Flash Firmware over Serial" and its relatives: from the palette, from a port in the Serial view, or from a
// cloud firmware in the Cloud view (downloaded and verified first).
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { downloadFirmware } from '../../core/cloud/download';
import { errorMessage } from '../../core/errors';
import { checkFlashRequest } from '../../core/serial/session';
import type { FlashResult } from '../../core/serial/sessionTypes';
import { FirmwareNode } from '../cloud/nodes/firmwareNode';
import type { Log } from '../common/log';
import type { FlashController } from './flashController';
import { chooseImage, choosePort, chooseProtocol, type ImageChoice } from './flashChoices';
import { PortItem, type PortEntry } from './portsTreeProvider';

/** Everything a flash needs; any part left out is asked for. */
export interface FlashArgs {
  image?: string;
  port?: string;
  protocol?: string;
  baud?: number;
  options?: Record<string, unknown>;
}

function protocolOptions(protocol: string): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('ota.serial');
  if (protocol === 'quecthing') {
    const options: Record<string, unknown> = { component: c.get<string>('quecthing.component', 'MCU') };
    const piece = c.get<number>('quecthing.pieceSize', 0);
    if (piece > 0) options.pieceSize = piece;
    return options;
  }
  return {};
}

export function registerFlashCommands(
  context: vscode.ExtensionContext,
  controller: FlashController,
  ports: () => Promise<PortEntry[]>,
  log: Log,
): void {
  const state = context.workspaceState;

  const flash = async (args: FlashArgs, image?: ImageChoice): Promise<FlashResult | undefined> => {
    if (controller.running) {
      void vscode.window.showWarningMessage('A flash is running: cancel it or wait for it to end first.', 'Show').then((a) => {
        if (a) controller.showPanel();
      });
      return undefined;
    }
    const chosenImage = image ?? (args.image ? { path: args.image, name: path.basename(args.image) } : await chooseImage());
    if (!chosenImage) return undefined;
    const port = args.port ?? (await choosePort(await ports(), state.get<string>('ota.flashPort')));
    if (!port) return undefined;
    const protocol = args.protocol ?? (await chooseProtocol(state.get<string>('ota.flashProtocol')));
    if (!protocol) return undefined;
    const baud = args.baud ?? vscode.workspace.getConfiguration('ota.serial').get<number>('flashBaud', 115200);
    const options = args.options ?? protocolOptions(protocol);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(chosenImage.path);
      checkFlashRequest({ protocol, image: bytes, options, serial: { baudRate: baud } });
    } catch (e) {
      void vscode.window.showErrorMessage(`${chosenImage.name}: ${errorMessage(e)}`);
      return undefined;
    }
    await state.update('ota.flashPort', port);
    await state.update('ota.flashProtocol', protocol);
    const result = await controller.flash({ image: bytes, imageName: chosenImage.name, port, protocol, baud, options });
    if (result.result === 'ok') void vscode.window.showInformationMessage(`Flashed ${chosenImage.name} to ${port}: ${result.message}`);
    else if (result.result !== 'cancelled') void vscode.window.showErrorMessage(`Flashing ${chosenImage.name} to ${port}: ${result.message}`);
    return result;
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('ota.serial.flash', async (arg?: unknown) => {
      try {
        if (arg instanceof PortItem) return await flash({ port: arg.port.path });
        if (arg instanceof FirmwareNode) return await flashCloudFirmware(arg, flash, log);
        return await flash(typeof arg === 'object' && arg !== null ? (arg) : {});
      } catch (e) {
        void vscode.window.showErrorMessage(errorMessage(e));
        return undefined;
      }
    }),
    vscode.commands.registerCommand('ota.serial.showFlash', () => controller.showPanel()),
    vscode.commands.registerCommand('ota.serial.cancelFlash', () => controller.cancel()),
  );
}

/** Downloads a cloud firmware, verifies it against the cloud's size and sign, then flashes it. */
async function flashCloudFirmware(node: FirmwareNode, flash: (a: FlashArgs, i?: ImageChoice) => Promise<FlashResult | undefined>, log: Log) {
  const f = node.firmware;
  const dir = await mkdtemp(path.join(tmpdir(), 'ota-flash-'));
  const file = path.join(dir, `${f.name}-${f.version}.bin`.replace(/[^\w.-]+/g, '_'));
  const downloaded = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${f.name} ${f.version} to flash it`, cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const fresh = await node.ota.getFirmware(f.id, { signal: abort.signal });
      return downloadFirmware(fresh, file, { signal: abort.signal });
    },
  );
  log.info(`Downloaded ${f.name} ${f.version} for flashing: ${downloaded.verified.join(', ') || 'nothing to verify against'}`);
  return flash({}, { path: file, name: path.basename(file) });
}
