// What "OTA: Flash Firmware over Serial" does, from the palette, a port (or several ports) in the Serial view or a
// cloud firmware (../commands/port.ts): asks for what is missing (image, port, protocol), checks the request, then
// flashes through the controller and says how it ended.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { spoken, spokenError } from '../common/spoken';
import { readFlashImage } from '../../core/serial/imageFile';
import type { FlashRegion } from '../../core/serial/protocols/types';
import { checkFlashRequest } from '../../core/serial/session';
import type { FlashResult } from '../../core/serial/sessionTypes';
import type { Log } from '../common/log';
import { downloadCloudImage, type CloudImage, type CloudImageSource } from '../images/cloudImages';
import { ESP_PROTOCOL_ID, espBuildImages, espOptions, espPortOptions, suggestedProtocol } from './espChoices';
import type { FlashController, FlashRequest } from './flashController';
import { buildOf, chooseImage, choosePort, chooseProtocol, virtualPortProtocol, type ImageChoice } from './flashChoices';
import { chooseMcubootOptions } from './mcubootCommands';
import type { PortEntry } from './portsTreeProvider';
import { offerUnprotect, stm32Options } from './stm32Choices';

/** Everything a flash needs; any part left out is asked for. */
export interface FlashArgs {
  image?: string;
  port?: string;
  /** Several boards at once (the same image to each). */
  ports?: string[];
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
  if (protocol === ESP_PROTOCOL_ID) return espOptions();
  return {};
}

function imageChoiceOf(file: string): ImageChoice {
  const build = buildOf(file);
  return { path: file, name: path.basename(file), ...(build ? { build } : {}) };
}

/**
 * Flashes an image, asking for what the arguments leave out. Resolves with the result (one port) or the results in
 * port order (several ports); undefined when a question was dismissed.
 */
export type Flasher = (args: FlashArgs, image?: ImageChoice) => Promise<FlashResult | FlashResult[] | undefined>;

/** `cloudImages` lists the Cloud view's firmware, offered as images next to files. */
export function createFlasher(
  state: vscode.Memento,
  controller: FlashController,
  ports: () => Promise<PortEntry[]>,
  log: Log,
  cloudImages?: CloudImageSource,
): Flasher {
  const flasher: Flasher = async (args: FlashArgs, image?: ImageChoice): Promise<FlashResult | FlashResult[] | undefined> => {
    if (controller.running) {
      void vscode.window.showWarningMessage(vscode.l10n.t('A flash is running: cancel it or wait for it to end first.'), vscode.l10n.t('Show')).then((a) => {
        if (a) controller.showPanel();
      });
      return undefined;
    }
    let chosenImage = image ?? (args.image ? imageChoiceOf(args.image) : undefined);
    if (!chosenImage) {
      const pick = await chooseImage(cloudImages);
      if (!pick) return undefined;
      if ('cloud' in pick) return flashCloudImage(pick.cloud, args, flasher, log);
      chosenImage = pick.file;
    }
    const entries = await ports().catch(() => [] as PortEntry[]);
    let targets = args.ports ?? (args.port ? [args.port] : []);
    if (!targets.length) {
      const port = await choosePort(entries, state.get<string>('ota.flashPort'));
      if (!port) return undefined;
      targets = [port];
    }
    const targetEntries = targets.map((t) => entries.find((e) => e.path === t)).filter((e): e is PortEntry => e !== undefined);
    // A simulated device knows one protocol; a real port may look like an ESP board.
    const simulated = new Set(targets.map(virtualPortProtocol));
    const onlyProtocol = simulated.size === 1 ? [...simulated][0] : undefined;
    const protocol =
      args.protocol ?? onlyProtocol ?? (await chooseProtocol(state.get<string>('ota.flashProtocol'), suggestedProtocol(targetEntries)));
    if (!protocol) return undefined;
    const esp = protocol === ESP_PROTOCOL_ID;
    // The ESP ROM is synced at 115200 and the loader switches to the flash baud (an option) itself.
    const baud = args.baud ?? (esp ? 115200 : vscode.workspace.getConfiguration('ota.serial').get<number>('flashBaud', 115200));
    const options = args.options ?? (protocol === 'mcuboot' ? await chooseMcubootOptions(state) : protocolOptions(protocol));
    if (!options) return undefined;
    let flashImage: FlashRegion[];
    try {
      // ESP: a PlatformIO build goes out whole (bootloader, partitions, boot_app0, app at their offsets).
      const regions = esp ? await espBuildImages(chosenImage.build, log) : null;
      // A .hex becomes regions at the addresses it states; a .bin one region the protocol places.
      flashImage = regions ?? (await readFlashImage(chosenImage.path));
      // A .hex places itself: the address setting is for a .bin only.
      if (protocol === 'stm32' && !args.options && flashImage.some((r) => r.address !== null)) delete options.address;
      checkFlashRequest({ protocol, image: flashImage, options, serial: { baudRate: baud } });
    } catch (e) {
      void vscode.window.showErrorMessage(`${chosenImage.name}: ${spokenError(e)}`);
      return undefined;
    }
    await state.update('ota.flashPort', targets[0]);
    await state.update('ota.flashProtocol', protocol);
    const request: FlashRequest = {
      image: flashImage,
      imageName: chosenImage.name,
      ports: targets,
      protocol,
      baud,
      options,
      ...(esp ? { portOptions: espPortOptions(targets, entries) } : {}),
    };
    let results = await controller.flash(request);
    if (results.length === 1 && results[0].errorCode === 'read-protected' && (await offerUnprotect(targets[0]))) {
      results = await controller.flash({ ...request, options: { ...options, unprotect: true } });
    }
    if (results.length === 1) {
      const [result] = results;
      const port = targets[0];
      if (result.result === 'ok') void vscode.window.showInformationMessage(vscode.l10n.t('Flashed {0} to {1}: {2}', chosenImage.name, port, spoken(result.message)));
      else if (result.result !== 'cancelled') void vscode.window.showErrorMessage(vscode.l10n.t('Flashing {0} to {1}: {2}', chosenImage.name, port, spoken(result.message)));
      return result;
    }
    const failed = results.filter((r) => r.result !== 'ok' && r.result !== 'cancelled');
    if (failed.length) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t(
          'Flashing {0}: {1} of {2} boards failed ({3}). The panel has a row for each.',
          chosenImage.name,
          failed.length,
          results.length,
          failed.map((r) => r.port).join(', '),
        ),
      );
    } else if (results.every((r) => r.result === 'ok')) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Flashed {0} to {1} boards.', chosenImage.name, results.length));
    }
    return results;
  };
  return flasher;
}

/** Downloads a cloud firmware, checked against the cloud's size and sign, then flashes it. */
export async function flashCloudImage(image: CloudImage, args: FlashArgs, flash: Flasher, log: Log): Promise<FlashResult | FlashResult[] | undefined> {
  const f = image.firmware;
  const downloaded = await downloadCloudImage(image);
  if (!downloaded) return undefined;
  const checked = downloaded.download.verified;
  log.info(`Downloaded ${f.name} ${f.version} for flashing: ${checked.length ? `checked ${checked.join(', ')}` : 'nothing to check against'}`);
  try {
    return await flash(args, { path: downloaded.path, name: downloaded.name });
  } finally {
    await downloaded.dispose();
  }
}
