// The device end of the serial throughput benchmark, as its own process on a pty:
//   node out-.../test/bench/serialBenchDevice.js --protocol quecthing|ymodem --port /dev/pts/N
//     [--read-size 4096] [--flash-ms-per-kib 2]
// quecthing: the simulated MCU (src/core/serial/virtual/quecMcu.ts) reading --read-size bytes per AT+QIOTOTARD;
// ymodem: the virtual YMODEM receiver (src/core/serial/virtual/ymodemReceiver.ts). Both "program flash" after each
// block for flash-ms-per-kib × block KiB before asking for the next one (the receiver before its ACK).
// It times the data phase on its own side of the line, the same way for every sender: from the device's request
// for the first data block (quecthing: its first AT+QIOTOTARD; YMODEM: the 'C' after block 0's ACK) to its
// request for what comes after the last block, written once the last block is programmed (quecthing:
// AT+QIOTUPDATE=3; YMODEM: the last data block's ACK). That is N whole block cycles: request, answer, flash write.
// Prints one JSON line (DeviceReport) and exits 0 when the image arrived intact, 1 otherwise.

import { md5Hex } from '../../src/core/serial/checksums';
import { type ByteLink } from '../../src/core/serial/byteLink';
import { openSerialLink } from '../../src/core/serial/transport';
import { runQuecMcu } from '../../src/core/serial/virtual/quecMcu';
import { receiveYmodem } from '../../src/core/serial/virtual/ymodemReceiver';
import { ACK, CRC_REQUEST, NAK } from '../../src/core/serial/protocols/ymodemFrames';

export interface DeviceReport {
  ok: boolean;
  message: string;
  bytes: number;
  md5: string | null;
  /** Data phase as timed by the device (see the top of this file); null when it could not be told. */
  dataSeconds: number | null;
  /**
   * Median time from the device's request for a block (its AT+QIOTOTARD, its ACK or 'C') to the first byte of the
   * answer: the line both ways plus the sender's reaction. Null when it could not be told.
   */
  turnaroundMs: number | null;
  /** Bytes on the line, both ways, during the data phase (payload plus framing, requests and answers). */
  dataWireBytes: number | null;
  /** Re-sent commands/reads (quecthing) or NAKed blocks (YMODEM). */
  retries: number;
}

/** A ByteLink that passes everything through and notes when each write was handed over and each chunk came in. */
class TimedLink implements ByteLink {
  readonly writes: { at: number; data: Buffer }[] = [];
  readonly reads: number[] = [];
  readonly readSizes: number[] = [];
  private readonly seen = new WeakSet<Uint8Array>();

  constructor(private readonly inner: ByteLink) {}

  get name(): string {
    return this.inner.name;
  }

  get isClosed(): boolean {
    return this.inner.isClosed;
  }

  write(data: Uint8Array): Promise<void> {
    this.writes.push({ at: performance.now(), data: Buffer.from(data) });
    return this.inner.write(data);
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.inner.onData((chunk) => {
      if (!this.seen.has(chunk)) {
        this.seen.add(chunk);
        this.reads.push(performance.now());
        this.readSizes.push(chunk.length);
      }
      listener(chunk);
    });
  }

  /** Median of (first chunk in after the write) - (the write), over the given writes. */
  medianTurnaround(requests: readonly number[]): number | null {
    const gaps: number[] = [];
    let j = 0;
    for (const at of requests) {
      while (j < this.reads.length && this.reads[j] < at) j++;
      if (j < this.reads.length) gaps.push(this.reads[j] - at);
    }
    gaps.sort((a, b) => a - b);
    return gaps.length ? gaps[Math.floor(gaps.length / 2)] : null;
  }

  /** Bytes written at or after `from` and before `to`, plus bytes read after `from` and up to `to`. */
  bytesBetween(from: number, to: number): number {
    let n = 0;
    for (const w of this.writes) if (w.at >= from && w.at < to) n += w.data.length;
    this.reads.forEach((at, i) => {
      if (at > from && at <= to) n += this.readSizes[i];
    });
    return n;
  }

  onClose(listener: (error: Error | null) => void): () => void {
    return this.inner.onClose(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

type Timing = Pick<DeviceReport, 'dataSeconds' | 'turnaroundMs' | 'dataWireBytes'>;

function timing(link: TimedLink, start: number, end: number, requests: readonly number[]): Timing {
  return {
    dataSeconds: (end - start) / 1000,
    turnaroundMs: link.medianTurnaround(requests),
    dataWireBytes: link.bytesBetween(start, end),
  };
}

const UNTIMED: Timing = { dataSeconds: null, turnaroundMs: null, dataWireBytes: null };

function quecTiming(link: TimedLink): Timing {
  const texts = link.writes.map((w) => ({ at: w.at, text: w.data.toString('latin1') }));
  const reads = texts.filter((w) => /QIOTOTARD=\d/i.test(w.text));
  const done = texts.find((w) => /QIOTUPDATE=3/i.test(w.text));
  if (!reads[0] || !done) return UNTIMED;
  return timing(link, reads[0].at, done.at, reads.map((w) => w.at));
}

function ymodemTiming(link: TimedLink): Timing {
  const bytes = link.writes.filter((w) => w.data.length === 1).map((w) => ({ at: w.at, byte: w.data[0] }));
  const headerAck = bytes.findIndex((w) => w.byte === ACK);
  const request = bytes.findIndex((w, i) => i > headerAck && w.byte === CRC_REQUEST);
  // The receiver NAKs the first EOT: the last NAK it sent. The ACK just before is the last data block's.
  let eotNak = -1;
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i].byte === NAK) {
      eotNak = i;
      break;
    }
  }
  let lastAck = -1;
  for (let i = eotNak - 1; i > request; i--) {
    if (bytes[i].byte === ACK) {
      lastAck = i;
      break;
    }
  }
  if (headerAck < 0 || request < 0 || lastAck < 0) return UNTIMED;
  // Turnaround over the requests for data blocks 2..N: the ACKs of blocks 1..N-1.
  const acks = bytes.slice(request + 1, lastAck).filter((w) => w.byte === ACK);
  return timing(link, bytes[request].at, bytes[lastAck].at, acks.map((w) => w.at));
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const protocol = arg(argv, 'protocol');
  const port = arg(argv, 'port');
  if (!port || (protocol !== 'quecthing' && protocol !== 'ymodem')) {
    throw new Error('usage: serialBenchDevice --protocol quecthing|ymodem --port PATH [--read-size N] [--flash-ms-per-kib MS]');
  }
  const readSize = Number(arg(argv, 'read-size') ?? 4096);
  const msPerKib = Number(arg(argv, 'flash-ms-per-kib') ?? 2);
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  const serial = await openSerialLink(port);
  const link = new TimedLink(serial);
  let report: DeviceReport;
  try {
    if (protocol === 'quecthing') {
      const r = await runQuecMcu(link, {
        readSize,
        flashWriteDelayMs: (msPerKib * readSize) / 1024,
        responseTimeoutMs: 3000,
        signal: controller.signal,
      });
      report = {
        ok: r.outcome === 'updated',
        message: r.message,
        bytes: r.image?.length ?? 0,
        md5: r.image ? md5Hex(r.image) : null,
        ...quecTiming(link),
        retries: r.retries,
      };
    } else {
      // YMODEM data blocks are 1 KiB (sz --1k and ours); a 128-byte tail block gets the same time, a rounding error.
      const r = await receiveYmodem(link, { flashWriteDelayMs: msPerKib, blockTimeoutMs: 3000, startIntervalMs: 1000, signal: controller.signal });
      const file = r.files[0];
      report = {
        ok: r.outcome === 'ok' && r.files.length === 1,
        message: r.message,
        bytes: file?.data.length ?? 0,
        md5: file ? md5Hex(file.data) : null,
        ...ymodemTiming(link),
        retries: r.naks,
      };
    }
  } finally {
    await link.close();
  }
  process.stdout.write(JSON.stringify(report) + '\n');
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`serialBenchDevice: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
