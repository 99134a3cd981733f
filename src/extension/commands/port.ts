// Commands on a serial port: flash an image to it (from the palette, a port of the Serial view, or several selected
// together, or a cloud firmware, downloaded and verified first), show the flash panel, cancel the running flash.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { downloadFirmware } from '../../core/cloud/download';
import type { CloudModels } from '../cloud/model/cloudModels';
import { firmwareTarget, type FirmwareTarget } from '../cloud/targets';
import type { Log } from '../common/log';
import type { Flasher } from '../serial/flashCommands';
import { portPaths } from '../serial/targets';
import type { OtaCommand } from './command';
import type { Features } from './features';

export function portCommands({ log, cloud, serial }: Features): OtaCommand[] {
  const flash = serial.flasher;
  return [
    {
      id: 'ota.serial.flash',
      run: (arg?: unknown, selected?: unknown) => {
        // Several ports selected in the Serial view: all of them, at once.
        const ports = portPaths(arg, selected);
        if (ports) return flash({ ports });
        const firmware = firmwareTarget(arg);
        if (firmware) return flashCloudFirmware(cloud.models, firmware, flash, log);
        return flash(typeof arg === 'object' && arg !== null ? (arg) : {});
      },
    },
    { id: 'ota.serial.showFlash', run: () => serial.controller.showPanel() },
    { id: 'ota.serial.cancelFlash', run: () => serial.controller.cancel() },
  ];
}

/** Downloads a cloud firmware, verifies it against the cloud's size and sign, then flashes it. */
async function flashCloudFirmware(models: CloudModels, t: FirmwareTarget, flash: Flasher, log: Log) {
  const f = t.firmware;
  const dir = await mkdtemp(path.join(tmpdir(), 'ota-flash-'));
  const file = path.join(dir, `${f.name}-${f.version}.bin`.replace(/[^\w.-]+/g, '_'));
  const downloaded = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${f.name} ${f.version} to flash it`, cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const fresh = await models.get(t.accountId).firmwareDetails(f.id, { signal: abort.signal });
      return downloadFirmware(fresh, file, { signal: abort.signal });
    },
  );
  log.info(`Downloaded ${f.name} ${f.version} for flashing: ${downloaded.verified.join(', ') || 'nothing to verify against'}`);
  return flash({}, { path: file, name: path.basename(file) });
}
