// A relay between two serial ports (in tests: the inner ends of two pty pairs), standing in for the cable:
//
//   host ── ptyA1 =socat= ptyA2 ── relay ── ptyB2 =socat= ptyB1 ── device
//
// Each way it passes bytes at baud/10 bytes per second (8N1), and it can corrupt, drop and delay bytes and cut the
// link mid-transfer. Faults come from a seeded generator, so a run is repeatable. Runnable as a process too:
//   node out-.../test/sims/relay.js --a /dev/pts/2 --b /dev/pts/4 [--baud 115200] [--corrupt 0.001] [--drop 0.001]
//     [--stall 0.01 --stall-ms 50] [--latency-ms 2] [--cut-after N] [--seed 1]    (faults apply both ways)

import { type ByteLink } from '../../src/core/serial/byteLink';
import { mulberry32 } from '../../src/core/prng';
import { openSerialLink } from '../../src/core/serial/transport';

export interface RelayFaults {
  /** Probability that a byte is corrupted (XORed with a random non-zero value). */
  corruptRate?: number;
  /** Probability that a byte is dropped. */
  dropRate?: number;
  /** Probability, per received chunk, that the line stalls for `stallMs` before it. */
  stallRate?: number;
  stallMs?: number;
  /** Fixed delay added to every byte. */
  latencyMs?: number;
  /** Cut the whole link (both ways, for good) once this many bytes went this way. */
  cutAfterBytes?: number;
  /** Only bytes after the first `skipBytes` of this direction are faulted (the rates; not the positions below). */
  skipBytes?: number;
  /** Corrupt exactly the bytes at these positions (0 = the first byte this way). */
  corruptAt?: readonly number[];
  /** Drop exactly the bytes at these positions. */
  dropAt?: readonly number[];
}

export interface RelayOptions {
  /** Line rate; bytes go at baudRate/10 per second each way. 0 or absent: no pacing. */
  baudRate?: number;
  aToB?: RelayFaults;
  bToA?: RelayFaults;
  seed?: number;
}

export interface RelayDirectionStats {
  received: number;
  forwarded: number;
  corrupted: number;
  dropped: number;
  stalls: number;
}


/** One way of the relay: faults on arrival, then a paced queue towards the output link. */
class Direction {
  readonly stats: RelayDirectionStats = { received: 0, forwarded: 0, corrupted: 0, dropped: 0, stalls: 0 };
  private readonly queue: { data: Buffer; readyAt: number }[] = [];
  private lineFreeAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private writing = false;

  constructor(
    private readonly out: ByteLink,
    private readonly faults: RelayFaults,
    private readonly bytesPerMs: number,
    private readonly random: () => number,
    private readonly relay: Relay,
  ) {}

  receive(chunk: Uint8Array): void {
    if (this.relay.isCut) return;
    const f = this.faults;
    const kept: number[] = [];
    for (const byte of chunk) {
      if (f.cutAfterBytes !== undefined && this.stats.received >= f.cutAfterBytes) {
        this.relay.cutInput(); // what is already on the wire still arrives
        break;
      }
      const index = this.stats.received++;
      const faulty = index >= (f.skipBytes ?? 0);
      if (f.dropAt?.includes(index) || (faulty && f.dropRate && this.random() < f.dropRate)) {
        this.stats.dropped++;
        continue;
      }
      if (f.corruptAt?.includes(index) || (faulty && f.corruptRate && this.random() < f.corruptRate)) {
        this.stats.corrupted++;
        kept.push(byte ^ (1 + Math.floor(this.random() * 255)));
        continue;
      }
      kept.push(byte);
    }
    if (!kept.length) return;
    const now = performance.now();
    if (f.stallRate && this.random() < f.stallRate) {
      this.stats.stalls++;
      this.lineFreeAt = Math.max(this.lineFreeAt, now) + (f.stallMs ?? 50);
    }
    this.queue.push({ data: Buffer.from(kept), readyAt: now + (f.latencyMs ?? 0) });
    this.pump();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }

  /** Sends every byte whose transmission has finished by now; schedules itself for the rest. */
  private pump(): void {
    if (this.writing || this.relay.isStopped) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const now = performance.now();
    const out: Buffer[] = [];
    let nextAt = Infinity;
    while (this.queue.length) {
      const head = this.queue[0];
      const begin = Math.max(this.lineFreeAt, head.readyAt);
      if (!this.bytesPerMs) {
        if (head.readyAt > now) {
          nextAt = head.readyAt;
          break;
        }
        out.push(head.data);
        this.queue.shift();
        continue;
      }
      // How many bytes of the head chunk are fully on the wire by now.
      const n = Math.min(head.data.length, Math.floor((now - begin) * this.bytesPerMs));
      if (n <= 0) {
        nextAt = begin + 1 / this.bytesPerMs;
        break;
      }
      out.push(head.data.subarray(0, n));
      this.lineFreeAt = begin + n / this.bytesPerMs;
      if (n === head.data.length) this.queue.shift();
      else {
        head.data = head.data.subarray(n);
        head.readyAt = this.lineFreeAt;
        nextAt = this.lineFreeAt + 1 / this.bytesPerMs;
        break;
      }
    }
    if (out.length) {
      const data = Buffer.concat(out);
      this.writing = true;
      this.out.write(data).then(
        () => {
          this.stats.forwarded += data.length;
          this.writing = false;
          this.pump();
        },
        () => {
          this.writing = false;
        },
      );
      return;
    }
    if (nextAt !== Infinity) this.timer = setTimeout(() => this.pump(), Math.max(1, nextAt - now));
  }
}

export class Relay {
  private cutFlag = false;
  private stopped = false;
  private readonly dirs: [Direction, Direction];
  private readonly unsubscribe: (() => void)[];

  private constructor(
    private readonly a: ByteLink,
    private readonly b: ByteLink,
    options: RelayOptions,
  ) {
    const random = mulberry32(options.seed ?? 1);
    const rate = options.baudRate ? options.baudRate / 10 / 1000 : 0;
    this.dirs = [new Direction(b, options.aToB ?? {}, rate, random, this), new Direction(a, options.bToA ?? {}, rate, random, this)];
    this.unsubscribe = [a.onData((c) => this.dirs[0].receive(c)), b.onData((c) => this.dirs[1].receive(c))];
  }

  /** Opens both ports (real serialport binding) and starts relaying. */
  static async open(pathA: string, pathB: string, options: RelayOptions = {}): Promise<Relay> {
    const a = await openSerialLink(pathA, { baudRate: options.baudRate || 115200 });
    try {
      const b = await openSerialLink(pathB, { baudRate: options.baudRate || 115200 });
      return new Relay(a, b, options);
    } catch (e) {
      await a.close();
      throw e;
    }
  }

  /** Relays between two links that are already open. */
  static between(a: ByteLink, b: ByteLink, options: RelayOptions = {}): Relay {
    return new Relay(a, b, options);
  }

  /** Nothing new gets through any more (bytes already on the wire may still arrive). */
  get isCut(): boolean {
    return this.cutFlag;
  }

  /** Nothing at all moves any more. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stops taking bytes in, both ways; what is already queued still goes out. */
  cutInput(): void {
    this.cutFlag = true;
  }

  get stats(): { aToB: RelayDirectionStats; bToA: RelayDirectionStats } {
    return { aToB: { ...this.dirs[0].stats }, bToA: { ...this.dirs[1].stats } };
  }

  /** Stops passing anything, both ways (the ports stay open: a cut cable, not an unplugged adapter). */
  cut(): void {
    this.cutFlag = true;
    this.stopped = true;
    for (const d of this.dirs) d.stop();
  }

  async close(): Promise<void> {
    this.cut();
    for (const off of this.unsubscribe) off();
    await Promise.all([this.a.close(), this.b.close()]);
  }
}

async function main(argv: string[]): Promise<void> {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string): number | undefined => (get(name) === undefined ? undefined : Number(get(name)));
  const a = get('a');
  const b = get('b');
  if (!a || !b) throw new Error('usage: relay --a PATH --b PATH [--baud N] [--corrupt P] [--drop P] [--stall P --stall-ms MS] [--latency-ms MS] [--cut-after N] [--seed N]');
  const faults: RelayFaults = {
    corruptRate: num('corrupt') ?? 0,
    dropRate: num('drop') ?? 0,
    stallRate: num('stall') ?? 0,
    stallMs: num('stall-ms') ?? 50,
    latencyMs: num('latency-ms') ?? 0,
    ...(num('cut-after') !== undefined ? { cutAfterBytes: num('cut-after') } : {}),
  };
  const relay = await Relay.open(a, b, { baudRate: num('baud') ?? 0, aToB: faults, bToA: faults, seed: num('seed') ?? 1 });
  process.stderr.write(`relay: ${a} <-> ${b} ready\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.stderr.write(`relay: ${JSON.stringify(relay.stats)}\n`);
  await relay.close();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`relay: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
