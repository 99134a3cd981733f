// Plain, JSON-serialisable shapes of a flash session: what the progress panel (through postMessage), the status bar
// and the CLI render. No imports, no classes, no undefined values: safe to share with the webview.

export const FLASH_PHASES = ['waiting', 'negotiating', 'transferring', 'verifying', 'done', 'failed', 'cancelled'] as const;

/**
 * waiting: opening the port and waiting for the device to speak; negotiating: agreeing on the transfer;
 * transferring: payload going out; verifying: the device checks/applies the image; then one of the three ends.
 * A refusal by the device ends in `failed` with result `refused`.
 */
export type FlashPhase = (typeof FLASH_PHASES)[number];

export type FlashResultKind = 'ok' | 'refused' | 'failed' | 'cancelled';

export interface FlashResult {
  protocol: string;
  port: string;
  /** Payload bytes the device got (the whole image when `result` is ok). */
  bytes: number;
  /** Image size. */
  totalBytes: number;
  /** Whole session, from opening the port to closing it. */
  seconds: number;
  /** From the first to the last payload byte. */
  transferSeconds: number;
  /** bytes / transferSeconds (0 when nothing was transferred). */
  bytesPerSecond: number;
  retries: number;
  result: FlashResultKind;
  /** One sentence for a person. */
  message: string;
  /** Machine-readable cause when known: port-busy, port-permission, port-not-found, port-disconnected, empty-image... */
  errorCode: string | null;
}

export type FlashLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface FlashLogLine {
  /** ISO-8601. */
  time: string;
  level: FlashLogLevel;
  /** True for text that came from the device (already escaped to printable ASCII). */
  fromDevice: boolean;
  text: string;
}

export interface FlashProgress {
  bytesDone: number;
  bytesTotal: number;
  /** 0..100, one decimal. */
  percent: number;
  /** Smoothed payload rate. */
  bytesPerSecond: number;
  /** Seconds left at the current rate; null while unknown. */
  etaSeconds: number | null;
  retries: number;
}

export interface FlashSnapshot extends FlashProgress {
  sessionId: string;
  protocol: string;
  protocolLabel: string;
  port: string;
  imageName: string;
  phase: FlashPhase;
  /** What is going on, in a few words ("Waiting for the device on /dev/ttyUSB0"...). */
  status: string;
  /** ISO-8601; null before start. */
  startedAt: string | null;
  elapsedSeconds: number;
  /** The last log lines (at most FLASH_LOG_LIMIT). */
  log: FlashLogLine[];
  /** Set once the session has ended. */
  result: FlashResult | null;
}

export const FLASH_LOG_LIMIT = 1000;

export type FlashSessionEvent =
  | { type: 'phase'; sessionId: string; phase: FlashPhase; previous: FlashPhase; status: string }
  | ({ type: 'progress'; sessionId: string } & FlashProgress)
  | { type: 'log'; sessionId: string; line: FlashLogLine }
  | { type: 'end'; sessionId: string; result: FlashResult };

export type FlashSessionEventType = FlashSessionEvent['type'];
