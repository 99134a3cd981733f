// Commands on a serial port: flash an image to it (from the palette, a port of the Serial view, or several selected
// together, or a cloud firmware, downloaded and verified first), show the flash panel, cancel the running flash.
import { firmwareTarget } from '../cloud/targets';
import { cloudImage } from '../images/cloudImages';
import { flashCloudImage } from '../serial/flashCommands';
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
        if (firmware) return flashCloudImage(cloudImage(cloud.models, firmware.accountId, firmware.firmware), {}, flash, log);
        return flash(typeof arg === 'object' && arg !== null ? (arg) : {});
      },
    },
    { id: 'ota.serial.showFlash', run: () => serial.controller.showPanel() },
    { id: 'ota.serial.cancelFlash', run: () => serial.controller.cancel() },
  ];
}
