// The options of the mcuboot protocol, read from the bag the UI and the CLI pass.

import { boolOption, intOption, optionalIntOption, rejectUnknownOptions } from '../options';
import { type FlashOptionBag, type ProtocolCliOption } from '../types';

export interface McubootOptions {
  /** Largest SMP packet to send; null = the device's buffer (mcumgr params), or 128 when it does not say. */
  mtu: number | null;
  /** Confirm the new image once it runs, so that MCUboot keeps it (default: leave it in test mode). */
  confirm: boolean;
  /** Reset the device after marking the image, then check what it runs (default true). */
  reset: boolean;
  /** Waiting for one answer (longer ones are waited for when the device has been slower than this). */
  timeoutMs: number;
  /** Waiting for the answer to the first chunk: the device may erase its whole slot first. */
  eraseTimeoutMs: number;
  /** Re-sends of one request. */
  retries: number;
  /** Waiting for the device to answer at all: at the start, and after the reset. */
  startTimeoutMs: number;
}

export const MCUBOOT_CLI_OPTIONS: readonly ProtocolCliOption[] = [
  {
    flag: 'mtu',
    key: 'mtu',
    kind: 'integer',
    usage: '--mtu N',
    description: "largest SMP packet in bytes (default: the device's buffer size from mcumgr params, else 128)",
  },
  { flag: 'confirm', key: 'confirm', kind: 'boolean', usage: '--confirm', description: 'make the new image permanent once it runs (default: test mode, MCUboot reverts on the next reset unless the app confirms it)' },
  { flag: 'no-reset', key: 'reset', kind: 'negated', usage: '--no-reset', description: 'leave the image marked in slot 1 without resetting the device' },
];

const KNOWN = ['mtu', 'confirm', 'reset', 'timeoutMs', 'eraseTimeoutMs', 'retries', 'startTimeoutMs'] as const;
const HOUR = 3_600_000;
export const MIN_MTU = 96;

export function resolveMcubootOptions(bag: FlashOptionBag): McubootOptions {
  rejectUnknownOptions(bag, KNOWN, 'mcuboot');
  const timeoutMs = intOption(bag, 'timeoutMs', 3000, 1, HOUR);
  return {
    mtu: optionalIntOption(bag, 'mtu', MIN_MTU, 65535),
    confirm: boolOption(bag, 'confirm', false),
    reset: boolOption(bag, 'reset', true),
    timeoutMs,
    eraseTimeoutMs: intOption(bag, 'eraseTimeoutMs', Math.max(timeoutMs, 30_000), 1, HOUR),
    retries: intOption(bag, 'retries', 5, 0, 1000),
    startTimeoutMs: intOption(bag, 'startTimeoutMs', Math.max(timeoutMs, 15_000), 1, HOUR),
  };
}
