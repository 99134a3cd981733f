// The STM32 protocol's options, read from the bag the CLI and the extension pass.

import { OtaError } from '../../../errors';
import { say } from '../../../sentences';
import { boolOption, choiceOption, intOption, rejectUnknownOptions, stringOption } from '../options';
import { type FlashOptionBag, type ProtocolCliOption } from '../types';
import { FLASH_BASE } from './chips';
import { RESET_PRESETS, type ResetSequence, resolveReset } from './resetSequence';

export type EraseMode = 'pages' | 'mass';

export interface Stm32Options {
  /** Where a .bin goes (a .hex says where its segments go). */
  address: number;
  erase: EraseMode;
  /** Go to the start address at the end. */
  go: boolean;
  /** Where Go jumps; default the lowest address written. */
  goAddress: number | null;
  /** Remove readout protection if it is on (mass-erases the chip). */
  unprotect: boolean;
  /** Wiring of DTR/RTS to NRST/BOOT0 (null: by hand). */
  reset: ResetSequence | null;
  resetName: string;
  /** Tries per block (write, read back) after the first. */
  maxRetries: number;
  /** Waiting for the bootloader's autobaud answer. */
  syncTimeoutMs: number;
  /** For each ACK and read. */
  ackTimeoutMs: number;
  /**
   * Send a command's address (and a read's length) without waiting for the ACKs in between, when no byte pair in
   * them could be taken for a command. Default true; any error turns it off for the rest of the run.
   */
  sendAhead: boolean;
}

export const STM32_OPTION_KEYS = [
  'address',
  'erase',
  'go',
  'goAddress',
  'unprotect',
  'reset',
  'maxRetries',
  'timeoutMs',
  'syncTimeoutMs',
  'ackTimeoutMs',
  'sendAhead',
] as const;

const HOUR = 3_600_000;

function addressOption(bag: FlashOptionBag, key: string): number | null {
  const v = bag[key];
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new OtaError('invalid-input', say`Option ${key} must be an address, decimal or 0x-hex up to 0xffffffff, not ${JSON.stringify(v)}.`);
  }
  return n;
}

export function resolveStm32Options(bag: FlashOptionBag): Stm32Options {
  rejectUnknownOptions(bag, STM32_OPTION_KEYS, 'stm32');
  const resetName = stringOption(bag, 'reset', 'manual', /^[\w&,:\- ]+$/, say`must be a wiring or a DTR/RTS sequence`);
  const reset = resolveReset(resetName.trim());
  const common = intOption(bag, 'timeoutMs', 0, 0, HOUR);
  return {
    address: addressOption(bag, 'address') ?? FLASH_BASE,
    erase: choiceOption(bag, 'erase', 'pages', ['pages', 'mass'] as const),
    go: boolOption(bag, 'go', true),
    goAddress: addressOption(bag, 'goAddress'),
    unprotect: boolOption(bag, 'unprotect', false),
    reset,
    resetName,
    maxRetries: intOption(bag, 'maxRetries', 5, 0, 100),
    syncTimeoutMs: intOption(bag, 'syncTimeoutMs', common || (reset ? 10_000 : 60_000), 1, HOUR),
    ackTimeoutMs: intOption(bag, 'ackTimeoutMs', 1000, 10, 60_000),
    sendAhead: boolOption(bag, 'sendAhead', true),
  };
}

export const STM32_CLI_OPTIONS: readonly ProtocolCliOption[] = [
  { flag: 'address', key: 'address', kind: 'address', usage: '--address HEX', description: 'Where a .bin goes (default 0x08000000; a .hex says where its segments go).' },
  { flag: 'erase', key: 'erase', kind: 'string', usage: '--erase pages|mass', description: 'Erase only the pages/sectors written (default) or the whole flash.' },
  { flag: 'no-go', key: 'go', kind: 'negated', usage: '--no-go', description: 'Stay in the bootloader instead of starting the firmware.' },
  {
    flag: 'unprotect',
    key: 'unprotect',
    kind: 'boolean',
    usage: '--unprotect',
    description: 'Remove readout protection first; WARNING: this mass-erases the whole flash.',
  },
  {
    flag: 'reset',
    key: 'reset',
    kind: 'string',
    usage: '--reset WIRING|SEQ',
    description: `How DTR/RTS reach NRST/BOOT0: ${RESET_PRESETS.map((p) => p.id).join(', ')} (default manual), or a stm32flash -i sequence.`,
  },
];
