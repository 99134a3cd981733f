// The esp protocol's options: what the UI and the CLI may set, their defaults and their CLI flags.

import { OtaError } from '../../../errors';
import { say } from '../../../sentences';
import { boolOption, choiceOption, intOption, rejectUnknownOptions, stringOption } from '../options';
import { type FlashOptionBag, type ProtocolCliOption } from '../types';
import { DEFAULT_APP_OFFSET, ESP_CHIP_IDS, type EspChipId } from './chips';

export interface EspOptions {
  /** Where a region without an address (a plain .bin) goes. */
  appOffset: number;
  chip: EspChipId;
  /** The rate the ROM is synced at (the ROM detects it). */
  romBaud: number;
  /** The rate switched to after sync, for the transfer. */
  flashBaud: number;
  stub: boolean;
  compress: boolean;
  /** Hard reset into the new firmware at the end. */
  reset: boolean;
  /** "303a:1001": picks the USB-Serial/JTAG reset sequence. */
  usbId: string | null;
  /** How long to wait for a person to put the board in download mode where DTR/RTS cannot be toggled. */
  waitForBootMs: number;
}

export const ESP_OPTION_KEYS = ['address', 'chip', 'romBaud', 'flashBaud', 'stub', 'compress', 'reset', 'usbId', 'waitForBootMs', 'timeoutMs'] as const;

export const ESP_CLI_OPTIONS: readonly ProtocolCliOption[] = [
  { flag: 'address', key: 'address', kind: 'address', usage: '--address HEX', description: 'Where a plain .bin goes (default 0x10000, the application offset).' },
  { flag: 'chip', key: 'chip', kind: 'string', usage: `--chip ${ESP_CHIP_IDS.join('|')}`, description: 'Refuse to flash any other chip (default auto: whatever answers).' },
  { flag: 'flash-baud', key: 'flashBaud', kind: 'integer', usage: '--flash-baud N', description: 'Baud rate switched to after sync for the transfer (default 460800).' },
  { flag: 'no-stub', key: 'stub', kind: 'negated', usage: '--no-stub', description: 'Talk to the ROM loader only (secure download mode, boards that need it); slower.' },
  { flag: 'no-compress', key: 'compress', kind: 'negated', usage: '--no-compress', description: 'Send the image uncompressed.' },
  { flag: 'no-reset', key: 'reset', kind: 'negated', usage: '--no-reset', description: 'Stay in the bootloader afterwards instead of starting the new firmware.' },
];

export const DEFAULT_FLASH_BAUD = 460800;

export function resolveEspOptions(bag: FlashOptionBag): EspOptions {
  rejectUnknownOptions(bag, ESP_OPTION_KEYS, 'esp');
  const usbId = stringOption(bag, 'usbId', '', /^([0-9a-fA-F]{4}:[0-9a-fA-F]{4})?$/, say`must look like 303a:1001`);
  const address = bag.address;
  let appOffset = DEFAULT_APP_OFFSET;
  if (address !== undefined && address !== null && address !== '') {
    const n = typeof address === 'string' ? Number(address.trim()) : address;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0x3fffffff) {
      throw new OtaError('invalid-input', say`Option address must be a flash offset such as 0x10000, not ${JSON.stringify(address)}.`);
    }
    if (n % 0x1000 !== 0) {
      throw new OtaError('invalid-input', say`Address 0x${n.toString(16)} is not on a 4 KiB flash sector boundary: use a multiple of 0x1000 such as 0x10000.`);
    }
    appOffset = n;
  }
  return {
    appOffset,
    chip: choiceOption(bag, 'chip', 'auto', ESP_CHIP_IDS),
    romBaud: intOption(bag, 'romBaud', 115200, 9600, 2000000),
    flashBaud: intOption(bag, 'flashBaud', DEFAULT_FLASH_BAUD, 9600, 5000000),
    stub: boolOption(bag, 'stub', true),
    compress: boolOption(bag, 'compress', true),
    reset: boolOption(bag, 'reset', true),
    usbId: usbId === '' ? null : usbId.toLowerCase(),
    // The CLI's --timeout: how long to wait for the board to show up in download mode.
    waitForBootMs: intOption(bag, 'waitForBootMs', intOption(bag, 'timeoutMs', 30000, 0, 3600000), 0, 3600000),
  };
}
