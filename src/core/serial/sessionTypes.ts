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

/** A JSON value: what a protocol may put in a result's `details`. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One labelled fact for a person: a device's identity ("Chip": "ESP32-D0WD v3.0") or a live statistic ("Window": "8 frames"). */
export interface FlashFact {
  label: string;
  value: string;
}

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
  /**
   * True only when the device reported a hash or a read-back of what it stored and it matched the image. A protocol
   * that cannot prove that (YMODEM) ends `ok` with `verified: false`, and its message says so.
   */
  verified: boolean;
  /** One sentence for a person. */
  message: string;
  /** Machine-readable cause when known: port-busy, port-permission, port-not-found, port-disconnected, empty-image... */
  errorCode: string | null;
  /** Who the device said it is (chip, revision, MAC, product id...), in the order the protocol learnt it. */
  device: FlashFact[];
  /** Protocol-specific results for machines (ESP: chip, regions; STM32: pid; MCUboot: hash, activeVersion...). */
  details: { [key: string]: JsonValue };
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
  /** The device's identity, once the protocol has learnt it. */
  device: FlashFact[];
  /** The protocol's live statistics (window in flight, compression ratio...), latest values. */
  stats: FlashFact[];
  /** Set once the session has ended. */
  result: FlashResult | null;
}

export const FLASH_LOG_LIMIT = 1000;

export type FlashSessionEvent =
  | { type: 'phase'; sessionId: string; phase: FlashPhase; previous: FlashPhase; status: string }
  | ({ type: 'progress'; sessionId: string } & FlashProgress)
  | { type: 'log'; sessionId: string; line: FlashLogLine }
  | { type: 'device'; sessionId: string; facts: FlashFact[] }
  | { type: 'stats'; sessionId: string; facts: FlashFact[] }
  | { type: 'end'; sessionId: string; result: FlashResult };

export type FlashSessionEventType = FlashSessionEvent['type'];
