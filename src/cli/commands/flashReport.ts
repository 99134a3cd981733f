// What `ota flash` shows on stderr while it runs: each phase as a line, warnings (retries...), and the transfer's
// progress (one line rewritten in place on a terminal, else a line each tenth).
import type { FlashProgress, FlashResult, FlashSessionEvent, JsonValue } from '../../core/serial/sessionTypes';
import type { CliIO } from '../support/io';
import { plural, size } from '../support/format';
import { ProgressLine } from '../support/progress';

const TERMINAL_PHASES = new Set(['done', 'failed', 'cancelled']);

/** "45.2 % (115.7 KiB of 256.0 KiB, 11.3 KiB/s, ETA 13 s, 1 retry)" */
export function flashProgressText(p: FlashProgress): string {
  const parts = [`${size(p.bytesDone)} of ${size(p.bytesTotal)}`];
  if (p.bytesPerSecond > 0) parts.push(`${size(p.bytesPerSecond)}/s`);
  if (p.etaSeconds !== null && p.bytesDone < p.bytesTotal) parts.push(`ETA ${p.etaSeconds} s`);
  if (p.retries > 0) parts.push(plural(p.retries, 'retry', 'retries'));
  return `${p.percent.toFixed(1)} % (${parts.join(', ')})`;
}

export class FlashReporter {
  private readonly progress: ProgressLine;
  private phase = 'waiting';

  constructor(stderr: CliIO['stderr']) {
    this.progress = new ProgressLine(stderr);
  }

  readonly onEvent = (event: FlashSessionEvent): void => {
    switch (event.type) {
      case 'phase':
        // The end is told once, by the command, with the result.
        this.phase = event.phase;
        if (!TERMINAL_PHASES.has(event.phase)) this.progress.line(event.status);
        break;
      case 'progress':
        // The session repeats the last progress when it ends; the transfer's own line has told it already.
        if (this.phase === 'transferring' && event.bytesDone > 0) this.progress.update('transfer', event.bytesTotal ? event.bytesDone / event.bytesTotal : 0, flashProgressText(event));
        break;
      case 'log':
        if (event.line.level === 'warn') this.progress.line(`warning: ${event.line.text}`);
        break;
      case 'device':
        this.progress.line(`Device: ${event.facts.map((f) => `${f.label} ${f.value}`).join(', ')}`);
        break;
      case 'stats':
        // Live statistics are for the panel; the result carries what matters.
        break;
      case 'end':
        this.progress.commit();
        break;
      default: {
        const unknown: never = event;
        void unknown;
      }
    }
  };
}

type FlashJson = Pick<FlashResult, 'protocol' | 'bytes' | 'seconds' | 'bytesPerSecond' | 'retries' | 'result' | 'verified'> & {
  [detail: string]: JsonValue;
};

/**
 * The --json contract: these keys, in this order, then the protocol's own details (ESP: chip, regions; STM32: pid;
 * MCUboot: hash, activeVersion...). `verified` is true only when the device reported a matching hash or read-back.
 */
export function flashJson(r: FlashResult): FlashJson {
  const base = {
    protocol: r.protocol,
    bytes: r.bytes,
    seconds: r.seconds,
    bytesPerSecond: r.bytesPerSecond,
    retries: r.retries,
    result: r.result,
    verified: r.verified,
  };
  // A protocol's details never replace the common keys.
  const details = Object.entries(r.details).filter(([key]) => !(key in base));
  return { ...base, ...Object.fromEntries(details) };
}
