// Messages between the flash progress panel (webview) and the extension host. Both sides import this module, so a
// message that one side sends and the other does not understand fails to compile.

export type FlashPhase =
  | 'waiting'
  | 'negotiating'
  | 'transferring'
  | 'verifying'
  | 'done'
  | 'failed'
  | 'cancelled'
  | 'refused';

export const FINAL_PHASES: readonly FlashPhase[] = ['done', 'failed', 'cancelled', 'refused'];

/** A labelled fact: who the device is ("Chip": "ESP32-D0WD v3.0") or a live statistic ("Window": "8 frames"). */
export interface FactView {
  label: string;
  value: string;
}

/** One board of a flash to several boards at once: its own phase, rate, device and result. */
export interface BoardRowView {
  port: string;
  phase: FlashPhase;
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  /** What is going on or how it ended, in words. */
  message: string | null;
  /** Chip, MAC... as the protocol learnt them. */
  device: FactView[];
  verified: boolean | null;
}

/**
 * Everything the panel shows about one flash, as plain data. A flash to several boards fills `rows` (one per board)
 * and the fields above sum them up (bytes and rate added, the phase of the least advanced board); with one board
 * `rows` holds just that board.
 */
export interface FlashView {
  /** Image file name (or cloud firmware name and version). */
  image: string;
  port: string;
  protocol: string;
  baud: number;
  phase: FlashPhase;
  bytesDone: number;
  bytesTotal: number;
  /** Smoothed payload rate. */
  bytesPerSecond: number;
  /** Seconds left; null while unknown. */
  etaSeconds: number | null;
  retries: number;
  elapsedSeconds: number;
  /** Last outcome or problem, in words. */
  message: string | null;
  /** The device's identity, as the protocol learnt it (empty until then). */
  device: FactView[];
  /** The protocol's live statistics (window in flight, compression ratio...). */
  stats: FactView[];
  /** Once done: whether the device proved it holds the image (hash or read-back); null while running or failed. */
  verified: boolean | null;
  /** One row per board (see above). */
  rows: BoardRowView[];
}

export type LogLevel = 'info' | 'warn' | 'error' | 'device';

export interface LogLine {
  /** ISO-8601 time. */
  time: string;
  level: LogLevel;
  /** Raw text; the webview escapes it (textContent), never parses it as HTML. */
  text: string;
}

/** Host -> webview. */
export type HostMessage =
  | { type: 'init'; view: FlashView; log: LogLine[] }
  | { type: 'update'; view: FlashView }
  | { type: 'log'; lines: LogLine[] };

/** Webview -> host. */
export type PanelMessage = { type: 'ready' } | { type: 'cancel' } | { type: 'retry' };

export function isPanelMessage(value: unknown): value is PanelMessage {
  if (typeof value !== 'object' || value === null) return false;
  const t = (value as { type?: unknown }).type;
  return t === 'ready' || t === 'cancel' || t === 'retry';
}

/** The panel's formatters are the product's (units.ts), re-exported for the webview. */
export { formatBytes, formatDuration } from './units';
