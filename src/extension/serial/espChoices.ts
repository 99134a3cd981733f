// The esp protocol's side of a flash from VS Code: which ports look like ESP boards (by their USB bridge's VID:PID),
// its options from the settings (flash baud, stub, compression) and, for a PlatformIO build, every image of the build
// at its offset (bootloader, partitions, boot_app0, app), as `pio run -t upload` would flash them.
import * as vscode from 'vscode';
import { espImageSet } from '../../core/platformio';
import type { FlashOptionBag, FlashRegion } from '../../core/serial/protocols/types';
import { locatePio } from '../platformio/projectChoice';
import type { Log } from '../common/log';
import type { PortEntry } from './portsTreeProvider';
import { spokenError } from '../common/spoken';

export const ESP_PROTOCOL_ID = 'esp';

/** `esp` when every chosen port is on a USB bridge ESP boards use (Espressif USB, CP210x, CH34x, FTDI). */
export function suggestedProtocol(ports: readonly PortEntry[]): string | undefined {
  return ports.length > 0 && ports.every((p) => p.espBridge) ? ESP_PROTOCOL_ID : undefined;
}

/** The esp protocol's options from the settings. */
export function espOptions(): FlashOptionBag {
  const c = vscode.workspace.getConfiguration('ota.serial');
  return {
    flashBaud: c.get<number>('flashBaud', 115200),
    stub: c.get<boolean>('esp.stub', true),
    compress: c.get<boolean>('esp.compress', true),
  };
}

/** Per port: its USB id, which picks the USB-Serial/JTAG reset sequence where it applies. */
export function espPortOptions(ports: readonly string[], entries: readonly PortEntry[]): Record<string, FlashOptionBag> {
  const out: Record<string, FlashOptionBag> = {};
  for (const port of ports) {
    const entry = entries.find((e) => e.path === port);
    if (entry?.usbId) out[port] = { usbId: entry.usbId };
  }
  return out;
}

/**
 * The images of a PlatformIO build for the esp protocol, from `pio project metadata`; null when the image is not a
 * PlatformIO build. Throws an error saying what is missing when the build's images cannot be read.
 */
export async function espBuildImages(build: { project: string; env: string } | undefined, log: Log): Promise<FlashRegion[] | null> {
  if (!build) return null;
  const pio = await locatePio();
  try {
    const regions = await espImageSet(build.project, build.env, { pio: pio.path });
    log.info(`ESP images of ${build.env}: ${regions.map((r) => `${r.name} at 0x${(r.address ?? 0).toString(16)}`).join(', ')}`);
    return regions;
  } catch (e) {
    throw new Error(vscode.l10n.t('The images of the PlatformIO build {0} could not be read: {1}', build.env, spokenError(e)), { cause: e });
  }
}
