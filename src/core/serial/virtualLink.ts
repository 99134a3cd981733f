// An in-process pair of connected ByteLinks: what one end writes, the other receives, always asynchronously (never
// inside the writer's call). Optional pacing at a line rate makes a virtual device feel like a real UART: the
// sandbox uses it so that a flash to the virtual MCU shows a believable progress bar.

import { OtaError } from '../errors';
import { say } from '../sentences';
import { type ControlSignals, LinkBase } from './byteLink';

export interface VirtualLinkOptions {
  /** Names of the two ends (shown in logs and errors). */
  names?: [string, string];
  /** Deliver at most this many bytes per second each way (a UART at B baud carries B/10). Unpaced when absent. */
  bytesPerSecond?: number;
}

/** Paced deliveries are cut into slices this big so the receiver sees a steady stream. */
const SLICE = 256;

export class VirtualLinkEnd extends LinkBase {
  peer!: VirtualLinkEnd;
  private lineFreeAt = 0;
  private readonly signalListeners = new Set<(signals: ControlSignals) => void>();
  /** The last rate set with setBaudRate (null before any). */
  baudRate: number | null = null;
  /** Writes go out one after the other, in call order, even when callers do not await them. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    name: string,
    private readonly bytesPerSecond: number | undefined,
  ) {
    super(name);
  }

  write(data: Uint8Array): Promise<void> {
    if (this.isClosed) return Promise.reject(this.closeError ?? closedError(this.name));
    const copy = Uint8Array.from(data);
    const done = this.queue.then(() => this.send(copy));
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async send(copy: Uint8Array): Promise<void> {
    if (this.isClosed) throw this.closeError ?? closedError(this.name);
    const rate = this.bytesPerSecond;
    if (!rate) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.isClosed) throw this.closeError ?? closedError(this.name);
      this.peer.receive(copy);
      return;
    }
    for (let off = 0; off < copy.length; off += SLICE) {
      const slice = copy.subarray(off, off + SLICE);
      const now = performance.now();
      this.lineFreeAt = Math.max(this.lineFreeAt, now) + (slice.length * 1000) / rate;
      const wait = this.lineFreeAt - now;
      await new Promise<void>((resolve) => (wait >= 1 ? setTimeout(resolve, wait) : setImmediate(resolve)));
      if (this.isClosed) throw this.closeError ?? closedError(this.name);
      this.peer.receive(slice);
    }
  }

  /** What the other end sets with setSignals() (a simulated board wired to DTR/RTS listens here). */
  onSignals(listener: (signals: ControlSignals) => void): () => void {
    this.signalListeners.add(listener);
    return () => {
      this.signalListeners.delete(listener);
    };
  }

  /** A virtual line has no rate to change (its pacing, if any, stays); recorded for the device to see. */
  setBaudRate(baudRate: number): Promise<void> {
    if (this.isClosed) return Promise.reject(this.closeError ?? closedError(this.name));
    this.baudRate = baudRate;
    return Promise.resolve();
  }

  setSignals(signals: ControlSignals): Promise<void> {
    if (this.isClosed) return Promise.reject(this.closeError ?? closedError(this.name));
    // After the bytes already written: a reset pulse lands between them and what follows, as on a real line.
    const done = this.queue.then(() => {
      for (const listener of [...this.peer.signalListeners]) listener({ ...signals });
    });
    this.queue = done.catch(() => undefined);
    return done;
  }

  close(): Promise<void> {
    if (!this.isClosed) {
      this.markClosed(null);
      this.peer.markClosed(
        new OtaError('failed', say`${this.name} closed the connection.`, { code: 'port-disconnected' }),
      );
    }
    return Promise.resolve();
  }

  /** Simulates pulling the cable: both ends close with a disconnect error. */
  unplug(): void {
    const error = new OtaError('failed', say`The device on ${this.name} was disconnected.`, {
      code: 'port-disconnected',
    });
    this.markClosed(error);
    this.peer.markClosed(error);
  }

  private receive(chunk: Uint8Array): void {
    this.deliver(chunk);
  }
}

function closedError(name: string): OtaError {
  return new OtaError('failed', say`The connection to ${name} is closed.`, { code: 'link-closed' });
}

/** Two connected ends: `[host, device]` by convention. */
export function createVirtualLinkPair(options: VirtualLinkOptions = {}): [VirtualLinkEnd, VirtualLinkEnd] {
  const [nameA, nameB] = options.names ?? ['virtual-a', 'virtual-b'];
  const a = new VirtualLinkEnd(nameA, options.bytesPerSecond);
  const b = new VirtualLinkEnd(nameB, options.bytesPerSecond);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
