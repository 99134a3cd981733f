// The text side of Quectel's MCU OTA AT flow, shared by the module side (quecthing.ts) and the simulated MCU
// (virtual/quecMcu.ts): command parsing, URC formatting and parsing.

export const OTA_EVENT_TYPE = 7;

export const QuecEvent = {
  /** Upgrade plan available. */
  PLAN: 10700,
  /** Download started (length and hashes). */
  STARTED: 10701,
  DOWNLOADING: 10702,
  /** A piece is ready to read. */
  PIECE_READY: 10703,
  UPDATING: 10704,
  SUCCEEDED: 10705,
  FAILED: 10706,
} as const;

export type AtCommandForm = 'exec' | 'set' | 'test' | 'read';

export interface AtCommand {
  /** Upper case, without the leading "AT": "+QIOTOTARD", "E0", "" (plain AT). */
  name: string;
  form: AtCommandForm;
  /** Arguments of a set command, quotes removed. */
  args: string[];
  /** The command text as found (from "AT" on). */
  text: string;
}

/**
 * Where a command starts in a line that may carry stray bytes before it: "AT" (any case) followed by "+" and a
 * letter, by E/I/Z with an optional digit, or by nothing.
 */
const COMMAND_START = /AT(?=\+[A-Z]|[EIZ][01]?$|$)/i;

/** Finds and parses the AT command in a received line; null when the line holds none (noise, echoes, URCs). */
export function parseAtCommand(line: string): AtCommand | null {
  const at = COMMAND_START.exec(line);
  if (!at) return null;
  const text = line.slice(at.index).trim();
  const body = text.slice(2);
  const m = /^(\+[A-Z0-9]+|[A-Z]\d?|)(=\?|\?|=(.*))?$/is.exec(body);
  if (!m) return null;
  const name = m[1].toUpperCase();
  if (m[2] === '=?') return { name, form: 'test', args: [], text };
  if (m[2] === '?') return { name, form: 'read', args: [], text };
  if (m[2] !== undefined) return { name, form: 'set', args: splitArgs(m[3] ?? ''), text };
  return { name, form: 'exec', args: [], text };
}

/** Splits AT arguments on commas outside quotes; strips the quotes and surrounding spaces. */
export function splitArgs(raw: string): string[] {
  const args: string[] = [];
  let cur = '';
  let quoted = false;
  let wasQuoted = false;
  for (const ch of raw) {
    if (ch === '"') {
      quoted = !quoted;
      wasQuoted = true;
    } else if (ch === ',' && !quoted) {
      args.push(wasQuoted ? cur : cur.trim());
      cur = '';
      wasQuoted = false;
    } else if (quoted || (ch !== ' ' && !wasQuoted) || (ch === ' ' && cur.length > 0 && !wasQuoted)) {
      cur += ch;
    }
  }
  args.push(wasQuoted ? cur : cur.trim());
  return args;
}

/** A decimal integer argument, or null. */
export function intArg(arg: string | undefined): number | null {
  if (arg === undefined || !/^\d{1,10}$/.test(arg.trim())) return null;
  return Number(arg.trim());
}

/** `+QIOTEVT: 7,<code>[,<data>]` (without line breaks). */
export function formatEvent(code: number, data?: string): string {
  return `+QIOTEVT: ${OTA_EVENT_TYPE},${code}${data ? `,${data}` : ''}`;
}

export interface QuecEventLine {
  type: number;
  code: number;
  args: string[];
}

/** Parses a `+QIOTEVT:` line (any case, stray bytes before it tolerated); null when the line is something else. */
export function parseEvent(line: string): QuecEventLine | null {
  const m = /\+QIOTEVT:\s*(\d+)\s*,\s*(\d+)\s*(?:,(.*))?$/i.exec(line);
  if (!m) return null;
  return { type: Number(m[1]), code: Number(m[2]), args: m[3] !== undefined ? splitArgs(m[3]) : [] };
}

/** `"text"`; callers make sure the text has no quote, comma or line break. */
export function quote(text: string): string {
  return `"${text}"`;
}

/** Text that can travel as a quoted AT argument. */
export const AT_STRING = /^[^",\r\n]*$/;
