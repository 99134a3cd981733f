// Entering and leaving the bootloader through the adapter's DTR/RTS lines, written as stm32flash's `-i` sequences:
// "entry[:exit]", each a list of signals (`dtr`, `rts`, `brk`; `-dtr` releases it) joined by `&` (no delay) or `,`
// (100 ms; repeated commas wait longer). stm32flash's GPIO numbers (host GPIO pins) have no meaning here.
// The presets are the common wirings of USB-UART adapters to a board's NRST and BOOT0 pins.

import { OtaError } from '../../../errors';
import { say } from '../../../sentences';
import { type ByteLink, type ControlSignals } from '../../byteLink';

export type SignalStep = { signal: 'dtr' | 'rts' | 'brk'; asserted: boolean } | { delayMs: number };

export interface ResetSequence {
  /** As written ("-rts&dtr,-dtr:rts&dtr,-dtr"). */
  text: string;
  entry: SignalStep[];
  exit: SignalStep[];
}

export interface ResetPreset {
  id: string;
  label: string;
  description: string;
  /** null: no lines; the person sets BOOT0 and presses reset. */
  sequence: string | null;
}

/**
 * An adapter's DTR#/RTS# pins are active low: asserting DTR pulls its pin to 0 V. Wired straight to NRST, asserting
 * holds the chip in reset; wired straight to BOOT0, releasing RTS (pin high) selects the system bootloader.
 */
export const RESET_PRESETS: readonly ResetPreset[] = [
  {
    id: 'manual',
    label: 'By hand',
    description: 'No lines wired: set BOOT0 high and press reset when asked.',
    sequence: null,
  },
  {
    id: 'dtr-reset-rts-boot0',
    label: 'DTR to NRST, RTS to BOOT0',
    description: 'DTR# wired to NRST and RTS# to BOOT0 (direct, as most STM32 flashing adapters): stm32flash -i "-rts&dtr,-dtr:rts&dtr,-dtr".',
    sequence: '-rts&dtr,-dtr:rts&dtr,-dtr',
  },
  {
    id: 'rts-reset-dtr-boot0',
    label: 'RTS to NRST, DTR to BOOT0',
    description: 'RTS# wired to NRST and DTR# to BOOT0 (direct): stm32flash -i "-dtr&rts,-rts:dtr&rts,-rts".',
    sequence: '-dtr&rts,-rts:dtr&rts,-rts',
  },
  {
    id: 'dtr-reset',
    label: 'DTR to NRST only',
    description: 'DTR# wired to NRST, BOOT0 set by a jumper: stm32flash -i "dtr,-dtr:dtr,-dtr".',
    sequence: 'dtr,-dtr:dtr,-dtr',
  },
];

const DELAY_MS = 100;

function parsePart(text: string, whole: string): SignalStep[] {
  const steps: SignalStep[] = [];
  let s = text;
  while (s.length > 0) {
    const m = /^(-?)(dtr|rts|brk)/.exec(s);
    if (m) {
      steps.push({ signal: m[2] as 'dtr' | 'rts' | 'brk', asserted: m[1] !== '-' });
      s = s.slice(m[0].length);
      continue;
    }
    if (s[0] === ',') steps.push({ delayMs: DELAY_MS });
    else if (s[0] !== '&') {
      const what = /^-?\d/.test(s)
        ? say`host GPIO numbers are not supported, only dtr, rts and brk`
        : say`"${s[0]}" is not a signal (dtr, rts, brk) or a separator (& or ,)`;
      throw new OtaError('invalid-input', say`Reset sequence "${whole}" cannot be used: ${what}.`, {
        hint: say`Write it as stm32flash -i does, e.g. "-rts&dtr,-dtr:rts&dtr,-dtr".`,
      });
    }
    s = s.slice(1);
  }
  return steps;
}

/** Parses "entry[:exit]"; throws `invalid-input` naming what is wrong. */
export function parseResetSequence(text: string): ResetSequence {
  const colon = text.indexOf(':');
  const entryText = colon < 0 ? text : text.slice(0, colon);
  const exitText = colon < 0 ? '' : text.slice(colon + 1);
  if (exitText.includes(':')) {
    throw new OtaError('invalid-input', say`Reset sequence "${text}" has more than one ":" (it is entry:exit).`);
  }
  return { text, entry: parsePart(entryText.trim(), text), exit: parsePart(exitText.trim(), text) };
}

/** A preset id or a sequence: the sequence to run, or null for "by hand". */
export function resolveReset(value: string): ResetSequence | null {
  const preset = RESET_PRESETS.find((p) => p.id === value);
  if (preset) return preset.sequence === null ? null : parseResetSequence(preset.sequence);
  if (!/(dtr|rts|brk)/.test(value)) {
    throw new OtaError(
      'invalid-input',
      say`Reset "${value}" is neither a wiring (${RESET_PRESETS.map((p) => p.id).join(', ')}) nor a DTR/RTS sequence.`,
      { hint: say`Pick a wiring, or write a sequence as stm32flash -i does.` },
    );
  }
  return parseResetSequence(value);
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

/** Drives the lines step by step. Throws when the link has no control lines or the port refuses them. */
export async function runSignalSteps(link: ByteLink, steps: readonly SignalStep[], signal: AbortSignal): Promise<void> {
  if (steps.length === 0) return;
  if (!link.setSignals) {
    throw new OtaError('failed', say`${link.name} has no DTR/RTS lines to reset the board with.`, {
      code: 'port-signals',
      hint: say`Set the reset wiring to "by hand", then set BOOT0 and press reset when asked.`,
    });
  }
  for (const step of steps) {
    if (signal.aborted) return;
    if ('delayMs' in step) await sleep(step.delayMs, signal);
    else if (step.signal === 'brk') {
      // stm32flash sends a break for "brk" and ignores "-brk".
      if (step.asserted) {
        await link.setSignals({ brk: true });
        await sleep(25, signal);
        await link.setSignals({ brk: false });
      }
    } else {
      const set: ControlSignals = step.signal === 'dtr' ? { dtr: step.asserted } : { rts: step.asserted };
      await link.setSignals(set);
    }
  }
}
