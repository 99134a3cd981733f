// When PlatformIO cannot be run: says so with what to do — install PlatformIO IDE, set `ota.platformio.path`, or
// (for a deploy) go on with an image file that already exists.
import * as vscode from 'vscode';
import { PIO_PATH_SETTING } from '../../core/platformio';
import { locatePio } from './projectChoice';
import { spokenError } from '../common/spoken';

export const PLATFORMIO_IDE_ID = 'platformio.platformio-ide';

/** Why PlatformIO cannot be used (a sentence without its full stop); undefined when it can. */
export async function platformioProblem(): Promise<string | undefined> {
  try {
    await locatePio();
    return undefined;
  } catch (e) {
    const configured = vscode.workspace.getConfiguration('ota.platformio').get<string>('path', '').trim();
    if (!configured) return vscode.l10n.t('PlatformIO was not found (not in {0}, ~/.platformio or PATH), so this project cannot be built here', PIO_PATH_SETTING);
    return vscode.l10n.t('PlatformIO cannot be run ({0}), so this project cannot be built here', spokenError(e).replace(/[.。]$/, ''));
  }
}

/**
 * Shows `problem` with its ways out. Resolves true when the user chose `imageAction` (go on with an image file);
 * false after any other choice or none (the other actions open the extension or the setting).
 */
export async function offerWithoutPlatformio(problem: string, imageAction?: string): Promise<boolean> {
  const install = vscode.l10n.t('Install PlatformIO');
  const setPath = vscode.l10n.t('Set Path…');
  const actions = [...(imageAction ? [imageAction] : []), install, setPath];
  // One sentence: the problem, then what to do.
  const message = imageAction
    ? vscode.l10n.t('{0}: install PlatformIO IDE, set {1}, or use an image file you already have.', problem, PIO_PATH_SETTING)
    : vscode.l10n.t('{0}: install PlatformIO IDE or set {1}.', problem, PIO_PATH_SETTING);
  const choice = await vscode.window.showWarningMessage(message, ...actions);
  if (choice === install) await vscode.commands.executeCommand('workbench.extensions.search', `@id:${PLATFORMIO_IDE_ID}`);
  else if (choice === setPath) await vscode.commands.executeCommand('workbench.action.openSettings', PIO_PATH_SETTING);
  return choice !== undefined && choice === imageAction;
}
