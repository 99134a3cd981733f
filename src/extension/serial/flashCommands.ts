// What "OTA: Flash Firmware over Serial" does, from the palette, a port in the Serial view or a cloud firmware
// (../commands/port.ts): asks for what is missing (image, port, protocol), checks the request, then flashes
// through the controller and says how it ended.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { readFlashImage } from '../../core/serial/imageFile';
import type { FlashRegion } from '../../core/serial/protocols/types';
import { checkFlashRequest } from '../../core/serial/session';
import type { FlashResult } from '../../core/serial/sessionTypes';
import type { FlashController } from './flashController';
import { chooseImage, choosePort, chooseProtocol, type ImageChoice } from './flashChoices';
import { chooseMcubootOptions } from './mcubootCommands';
import type { PortEntry } from './portsTreeProvider';
import { offerUnprotect, stm32Options } from './stm32Choices';

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
  if (protocol === 'stm32') return stm32Options();
  if (protocol === 'stream') {
    return { compression: c.get<string>('stream.compression', 'auto'), resume: c.get<boolean>('stream.resume', true) };
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
    const options = args.options ?? (protocol === 'mcuboot' ? await chooseMcubootOptions(state) : protocolOptions(protocol));
    if (!options) return undefined;
    let bytes: FlashRegion[];
    try {
      // A .hex becomes regions at the addresses it states; a .bin one region the protocol places.
      bytes = await readFlashImage(chosenImage.path);
      // A .hex places itself: the address setting is for a .bin only.
      if (protocol === 'stm32' && !args.options && bytes.some((r) => r.address !== null)) delete options.address;
      checkFlashRequest({ protocol, image: bytes, options, serial: { baudRate: baud } });
    } catch (e) {
      void vscode.window.showErrorMessage(`${chosenImage.name}: ${errorMessage(e)}`);
      return undefined;
    }
    await state.update('ota.flashPort', port);
    await state.update('ota.flashProtocol', protocol);
    let result = await controller.flash({ image: bytes, imageName: chosenImage.name, port, protocol, baud, options });
    if (result.errorCode === 'read-protected' && (await offerUnprotect(port))) {
      result = await controller.flash({ image: bytes, imageName: chosenImage.name, port, protocol, baud, options: { ...options, unprotect: true } });
    }
    if (result.result === 'ok') void vscode.window.showInformationMessage(`Flashed ${chosenImage.name} to ${port}: ${result.message}`);
    else if (result.result !== 'cancelled') void vscode.window.showErrorMessage(`Flashing ${chosenImage.name} to ${port}: ${result.message}`);
    return result;
  };
}
