// What "OTA: Flash Firmware over Serial" does, from the palette, a port in the Serial view or a cloud firmware
// (../commands/port.ts): asks for what is missing (image, port, protocol), checks the request, then flashes
// through the controller and says how it ended.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { checkFlashRequest } from '../../core/serial/session';
import type { FlashResult } from '../../core/serial/sessionTypes';
import type { FlashController } from './flashController';
import { chooseImage, choosePort, chooseProtocol, type ImageChoice } from './flashChoices';
import type { PortEntry } from './portsTreeProvider';

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

/** Flashes an image, asking for what the arguments leave out; undefined when a question was dismissed. */
export type Flasher = (args: FlashArgs, image?: ImageChoice) => Promise<FlashResult | undefined>;

export function createFlasher(state: vscode.Memento, controller: FlashController, ports: () => Promise<PortEntry[]>): Flasher {
  return async (args: FlashArgs, image?: ImageChoice): Promise<FlashResult | undefined> => {
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
}
