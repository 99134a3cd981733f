// MCUboot/SMP in the Serial view: the test-or-confirm choice asked when a flash uses the mcuboot protocol, and the
// one-shot SMP commands on a port (Send SMP Echo, Reset over SMP, Show MCUboot Image State; the command table is
// ../commands/mcuboot.ts).
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { spoken, spokenError } from '../common/spoken';
import type { ByteLink } from '../../core/serial/byteLink';
import { openPort } from '../../core/serial/ports';
import type { SmpCommandResult } from '../../core/serial/protocols/mcuboot/smpCommands';
import type { Log } from '../common/log';
import { choosePort } from './flashChoices';
import type { SerialView } from './registerSerialView';

const CONFIRM_KEY = 'ota.mcuboot.confirm';

/**
 * Asks whether the new image is only tested (MCUboot reverts on the next reset unless the app confirms it) or made
 * permanent; remembers the answer per workspace. Undefined when the user dismisses the question.
 */
export async function chooseMcubootOptions(state: vscode.Memento): Promise<Record<string, unknown> | undefined> {
  const last = state.get<boolean>(CONFIRM_KEY, false);
  const items = [
    {
      label: vscode.l10n.t('Test the new image'),
      description: last ? '' : vscode.l10n.t('last used'),
      detail: vscode.l10n.t('MCUboot boots it once; it reverts on the next reset unless the app confirms itself.'),
      confirm: false,
    },
    {
      label: vscode.l10n.t('Confirm the new image'),
      description: last ? vscode.l10n.t('last used') : '',
      detail: vscode.l10n.t('Once it runs, it is confirmed: MCUboot keeps it.'),
      confirm: true,
    },
  ];
  if (last) items.reverse();
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('After the upload, MCUboot should…') });
  if (!picked) return undefined;
  await state.update(CONFIRM_KEY, picked.confirm);
  return { confirm: picked.confirm };
}

/**
 * Runs one SMP command on a port (the given path, or one the user picks): opens it at the flash baud rate, runs,
 * closes, and says how it went. Undefined when no port was picked or a flash holds the port.
 */
export async function runSmpCommand(
  serial: SerialView,
  state: vscode.Memento,
  log: Log,
  port: string | undefined,
  title: string,
  command: (link: ByteLink, signal: AbortSignal) => Promise<SmpCommandResult>,
): Promise<SmpCommandResult | undefined> {
  const path = port ?? (await choosePort(await serial.ports(), state.get<string>('ota.flashPort')));
  if (!path) return undefined;
  if (serial.controller.running) {
    void vscode.window.showWarningMessage(vscode.l10n.t('A flash is running: wait for it to end, then run {0} on {1} again.', title, path));
    return undefined;
  }
  const baud = vscode.workspace.getConfiguration('ota.serial').get<number>('flashBaud', 115200);
  let result: SmpCommandResult;
  let said: string | undefined;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('{0} on {1}', title, path), cancellable: true }, async (_p, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const link = await openPort(path, { baudRate: baud }, serial.virtualPorts());
      try {
        return await command(link, abort.signal);
      } finally {
        await link.close().catch(() => undefined);
      }
    });
  } catch (e) {
    result = { ok: false, message: errorMessage(e) };
    said = spokenError(e);
  }
  log.info(`${title}: ${result.message}`);
  said ??= spoken(result.message);
  if (result.ok) void vscode.window.showInformationMessage(said);
  else void vscode.window.showErrorMessage(vscode.l10n.t('{0} on {1}: {2}', title, path, said));
  return result;
}
