// A byte pipe to a device: what every flashing protocol talks through. A real serial port (transport.ts) and an
// in-process virtual link (virtualLink.ts) both implement it, so protocols run unchanged against a board, a
// pseudo-terminal or the sandbox's virtual MCU.

/** Modem control lines a protocol may drive (e.g. DTR/RTS wired to a board's reset and boot pins). */
export interface ControlSignals {
  /** true = asserted (the adapter's DTR# pin low), false = released. */
  dtr?: boolean;
  rts?: boolean;
  /** true = send a break (the line held low for a while). */
  brk?: boolean;
}

export interface ByteLink {
  /** What a person calls this link: the port path, or the virtual device's name. */
  readonly name: string;
  readonly isClosed: boolean;
  /** Resolves once the bytes are handed to the driver (or the peer). Rejects when the link is closed. */
  write(data: Uint8Array): Promise<void>;
  /**
   * Incoming bytes. Bytes that arrived while nobody listened are delivered to the first listener, so nothing sent
   * between opening and subscribing is lost. Returns an unsubscribe function.
   */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /**
   * Called once when the link closes: `null` when we closed it, an error (an OtaError with code `port-disconnected`
   * for an unplugged device) when it went away. A listener added after the close is called on the next microtask.
   */
  onClose(listener: (error: Error | null) => void): () => void;
  /** Idempotent. */
  close(): Promise<void>;
  /**
   * Sets modem control lines; absent on links that have none. Rejects (an OtaError) when the port refuses, as a
   * pseudo-terminal does.
   */
  setSignals?(signals: ControlSignals): Promise<void>;
  /** Changes the line rate of an open link (after a loader agreed on a faster one). Absent where there is none. */
  setBaudRate?(baudRate: number): Promise<void>;
}

/** Unread bytes kept for a first listener; beyond this the oldest are dropped (a device babbling before we listen). */
const MAX_PENDING_BYTES = 1 << 20;

/** Listener bookkeeping shared by the real and the virtual links. */
export abstract class LinkBase implements ByteLink {
  private readonly dataListeners = new Set<(chunk: Uint8Array) => void>();
  private readonly closeListeners = new Set<(error: Error | null) => void>();
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private closedWith: { error: Error | null } | null = null;

  constructor(readonly name: string) {}

  get isClosed(): boolean {
    return this.closedWith !== null;
  }

  /** The error a closed link reports: the disconnect error, or null after a normal close. */
  get closeError(): Error | null {
    return this.closedWith?.error ?? null;
  }

  abstract write(data: Uint8Array): Promise<void>;
  abstract close(): Promise<void>;

  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    if (this.pending.length) {
      const queued = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      for (const chunk of queued) listener(chunk);
    }
    return () => {
      this.dataListeners.delete(listener);
    };
  }

  onClose(listener: (error: Error | null) => void): () => void {
    if (this.closedWith) {
      const error = this.closedWith.error;
      queueMicrotask(() => listener(error));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => {
      this.closeListeners.delete(listener);
    };
  }

  /** Hands received bytes to the listeners (or keeps them for the first one). */
  protected deliver(chunk: Uint8Array): void {
    if (this.closedWith || chunk.length === 0) return;
    if (this.dataListeners.size === 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      while (this.pendingBytes > MAX_PENDING_BYTES && this.pending.length > 1) {
        this.pendingBytes -= this.pending.shift()!.length;
      }
      return;
    }
    for (const listener of [...this.dataListeners]) listener(chunk);
  }

  /** Marks the link closed and tells the close listeners, once. */
  protected markClosed(error: Error | null): void {
    if (this.closedWith) return;
    this.closedWith = { error };
    this.pending = [];
    this.pendingBytes = 0;
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.dataListeners.clear();
    for (const listener of listeners) listener(error);
  }
}
