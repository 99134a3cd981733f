// The contract between the flash session and a flashing protocol. A protocol is a small module exporting one
// FlashProtocol; the session knows nothing else about it, so adding one (ESP ROM loader, STM32 AN3155...) means
// writing the module and listing it in protocols/index.ts.

import { type ByteLink } from '../byteLink';
import { type FlashLogLevel } from '../sessionTypes';

/** Protocol options as given by the UI or the CLI; each protocol checks and reads its own keys. */
export type FlashOptionBag = Readonly<Record<string, unknown>>;

/** What a protocol tells the session while it runs. */
export type ProtocolEvent =
  /** The protocol moved on. `waiting` = for the device to show up; `verifying` = the device checks/applies. */
  | { type: 'phase'; phase: 'waiting' | 'negotiating' | 'transferring' | 'verifying'; message?: string }
  /** Payload bytes the device has got so far (distinct bytes: a re-sent block counts once). */
  | { type: 'progress'; bytesDone: number }
  /** Something was sent again (a NAKed block, a re-read range). */
  | { type: 'retry'; reason: string }
  /** A log line; anything that came from the device must already be passed through printable(). */
  | { type: 'log'; level: FlashLogLevel; text: string; fromDevice?: boolean };

export interface FlashContext {
  link: ByteLink;
  /** Never empty: the session refuses 0-byte images before opening anything. */
  image: Uint8Array;
  /** File name for protocols that carry one (YMODEM block 0). */
  imageName: string;
  options: FlashOptionBag;
  /** Aborted when the user cancels; every wait of the protocol must end promptly then. */
  signal: AbortSignal;
  report(event: ProtocolEvent): void;
}

export type ProtocolResultKind = 'ok' | 'refused' | 'failed' | 'cancelled';

export interface ProtocolOutcome {
  result: ProtocolResultKind;
  /** One sentence for a person: what happened and, on failure, what to do. */
  message: string;
  /** An error code when there is one (e.g. `port-disconnected`), for front ends that offer a fix. */
  errorCode?: string;
}

export interface FlashProtocol {
  /** Stable id used by the CLI (`--protocol`) and settings. */
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /**
   * Throws an OtaError of kind `invalid-input` for options this protocol cannot use. Called before any port is
   * opened, so mistakes are reported without touching the device.
   */
  checkOptions(options: FlashOptionBag, image: Uint8Array): void;
  /**
   * Runs the transfer. Resolves with the outcome (never rejects for device or link trouble: those are `failed`
   * outcomes, and an abort is `cancelled`). The session closes the link afterwards.
   */
  run(ctx: FlashContext): Promise<ProtocolOutcome>;
}
