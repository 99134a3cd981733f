// The contract between the flash session and a flashing protocol. A protocol is a small module exporting one
// FlashProtocol; the session knows nothing else about it, so adding one (ESP ROM loader, STM32 AN3155...) means
// writing the module and listing it in protocols/index.ts.

import { type ByteLink } from '../byteLink';
import { type FlashFact, type FlashLogLevel, type JsonValue } from '../sessionTypes';
import { type SerialSettings } from '../transport';

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
  | { type: 'log'; level: FlashLogLevel; text: string; fromDevice?: boolean }
  /** Who the device is (chip, revision, MAC, flash size, product id...): shown in the panel and kept in the result. */
  | { type: 'device'; facts: readonly FlashFact[] }
  /** Live statistics worth showing while it runs (window in flight, compression ratio...); replaces earlier ones. */
  | { type: 'stats'; facts: readonly FlashFact[] };

/**
 * One piece of what is flashed. `address` is where it goes in the device's memory when the file or the build says
 * so (an Intel HEX segment, a PlatformIO ESP32 image set), null for a plain .bin whose place the protocol decides.
 */
export interface FlashRegion {
  address: number | null;
  data: Uint8Array;
  /** File name or role, for messages ("bootloader.bin", "segment @0x08000000"). */
  name: string;
}

export interface FlashContext {
  link: ByteLink;
  /**
   * Never empty: the session refuses 0-byte images before opening anything. With one region, its bytes; with
   * several, all of them one after another (protocols that place regions read `regions` instead).
   */
  image: Uint8Array;
  /** What is flashed, piece by piece; never empty, no region empty. */
  regions: readonly FlashRegion[];
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
  /**
   * True only when the device reported a hash or read-back of what it stored and it equals the image. Never true
   * unless `result` is ok; a protocol without an end-to-end check ends ok with false and says so in `message`.
   */
  verified: boolean;
  /** Protocol-specific results for machines, merged into the CLI's --json (ESP: chip, regions...). */
  details?: { readonly [key: string]: JsonValue };
  /** One sentence for a person: what happened and, on failure, what to do. */
  message: string;
  /** An error code when there is one (e.g. `port-disconnected`), for front ends that offer a fix. */
  errorCode?: string;
}

/**
 * A command-line option of a protocol. The CLI's `ota flash` builds its flags, help and checks from these, so a
 * protocol adds a flag here and nowhere else. The flag's value lands in the option bag under `key`.
 */
export interface ProtocolCliOption {
  /** Without dashes: `flash-baud`. Several protocols may declare the same flag (e.g. `address`). */
  flag: string;
  /** Key in the option bag. */
  key: string;
  /**
   * string: as given; integer: a whole number; address: decimal or 0x-hex, as a number; boolean: a flag with no
   * value (true when given); negated: `--no-x` flags stored as `false` under `key`.
   */
  kind: 'string' | 'integer' | 'address' | 'boolean' | 'negated';
  /** `--flash-baud N` */
  usage: string;
  description: string;
}

export interface FlashProtocol {
  /** Stable id used by the CLI (`--protocol`) and settings. */
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /**
   * Line settings the protocol needs unless the caller says otherwise (the STM32 bootloader talks 8E1); the
   * session opens the port with these under the caller's own.
   */
  readonly serial?: Partial<Omit<SerialSettings, 'baudRate'>>;
  /** The CLI flags of this protocol (see ProtocolCliOption); none when it has no options of its own. */
  readonly cliOptions?: readonly ProtocolCliOption[];
  /**
   * Throws an OtaError of kind `invalid-input` for options this protocol cannot use, or for regions it cannot place
   * (see `singleImage`). Called before any port is opened, so mistakes are reported without touching the device.
   */
  checkOptions(options: FlashOptionBag, image: Uint8Array, regions: readonly FlashRegion[]): void;
  /**
   * Runs the transfer. Resolves with the outcome (never rejects for device or link trouble: those are `failed`
   * outcomes, and an abort is `cancelled`). The session closes the link afterwards.
   */
  run(ctx: FlashContext): Promise<ProtocolOutcome>;
}
