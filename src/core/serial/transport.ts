// Serial ports as ByteLinks, over `serialport`. Opening failures become OtaErrors that say what to do (port busy,
// permission denied, no such port); an unplugged device closes the link with a `port-disconnected` error; `withPort`
// closes the port whatever happens.

import { constants as fsConstants, read as fsRead, readFileSync, readSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';
import { OtaError, errorMessage } from '../errors';
import { say } from '../sentences';
import { type ByteLink, type ControlSignals, LinkBase } from './byteLink';

export type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space';
export type DataBits = 5 | 6 | 7 | 8;
export type StopBits = 1 | 1.5 | 2;

export interface SerialSettings {
  baudRate: number;
  /** Default 8. */
  dataBits?: DataBits;
  /** Default 1. */
  stopBits?: StopBits;
  /** Default 'none'. */
  parity?: Parity;
  /** Hardware flow control (RTS/CTS). Default false. */
  rtscts?: boolean;
  /** Take an exclusive lock so that a second program cannot open the port meanwhile. Default true. */
  lock?: boolean;
}

export const DEFAULT_BAUD_RATE = 115200;

const DATA_BITS: readonly number[] = [5, 6, 7, 8];
const STOP_BITS: readonly number[] = [1, 1.5, 2];
const PARITIES: readonly string[] = ['none', 'even', 'odd', 'mark', 'space'];

/** Fills in defaults and rejects impossible settings with an `invalid-input` OtaError. */
export function normalizeSerialSettings(settings: Partial<SerialSettings> = {}): Required<SerialSettings> {
  const s: Required<SerialSettings> = {
    baudRate: settings.baudRate ?? DEFAULT_BAUD_RATE,
    dataBits: settings.dataBits ?? 8,
    stopBits: settings.stopBits ?? 1,
    parity: settings.parity ?? 'none',
    rtscts: settings.rtscts ?? false,
    lock: settings.lock ?? true,
  };
  if (!Number.isInteger(s.baudRate) || s.baudRate <= 0) {
    throw new OtaError('invalid-input', say`Baud rate must be a positive whole number, not ${String(s.baudRate)}.`);
  }
  if (!DATA_BITS.includes(s.dataBits)) {
    throw new OtaError('invalid-input', say`Data bits must be 5, 6, 7 or 8, not ${String(s.dataBits)}.`);
  }
  if (!STOP_BITS.includes(s.stopBits)) {
    throw new OtaError('invalid-input', say`Stop bits must be 1, 1.5 or 2, not ${String(s.stopBits)}.`);
  }
  if (!PARITIES.includes(s.parity)) {
    throw new OtaError('invalid-input', say`Parity must be one of ${PARITIES.join(', ')}, not ${String(s.parity)}.`);
  }
  return s;
}

/**
 * Turns an error from opening a port into an OtaError a person can act on. `serialport` reports errors as text
 * (strerror), e.g. "Error Resource temporarily unavailable Cannot lock port" or "Error: Permission denied, cannot
 * open /dev/ttyUSB0"; codes are matched when present too.
 */
export function describeOpenError(path: string, error: unknown, platform: NodeJS.Platform = process.platform): OtaError {
  if (error instanceof OtaError) return error;
  const raw = errorMessage(error);
  const code = (error as { code?: unknown } | null)?.code;
  const has = (re: RegExp): boolean => re.test(raw) || (typeof code === 'string' && re.test(code));
  if (
    has(/Cannot lock port|Resource temporarily unavailable|Device or resource busy|EBUSY|EAGAIN/i) ||
    (platform === 'win32' && has(/Access denied|Access is denied/i))
  ) {
    return new OtaError(
      'failed',
      say`Serial port ${path} is busy: another program has it open. Close the serial monitor (or any terminal program using the port), then try again.`,
      { code: 'port-busy', cause: error },
    );
  }
  if (has(/Permission denied|EACCES|EPERM|Operation not permitted/i)) {
    const what =
      platform === 'linux'
        ? say`Add your user to the dialout group (sudo usermod -aG dialout $USER, then log in again).`
        : say`Check that your user may use serial ports.`;
    return new OtaError('failed', say`Permission denied opening serial port ${path}. ${what}`, {
      code: 'port-permission',
      cause: error,
    });
  }
  if (has(/No such file or directory|ENOENT|cannot find the file|File not found|No such device/i)) {
    return new OtaError(
      'not-found',
      say`There is no serial port ${path}. Check that the board is plugged in, then pick the port again.`,
      { code: 'port-not-found', cause: error },
    );
  }
  if (has(/baud rate .*not supported|Invalid argument/i)) {
    return new OtaError('invalid-input', say`Serial port ${path} does not accept these settings: ${raw}`, {
      code: 'port-settings',
      cause: error,
    });
  }
  return new OtaError('failed', say`Could not open serial port ${path}: ${raw}`, { code: 'port-open-failed', cause: error });
}

/** The error for a port that went away under us. */
export function disconnectedError(path: string, detail?: string): OtaError {
  return new OtaError(
    'failed',
    say`The device on ${path} was disconnected${detail ? ` (${detail})` : ''}. Plug it back in and try again.`,
    { code: 'port-disconnected' },
  );
}

/** What the Linux and macOS bindings of serialport have (the Windows one has no fd, and needs no guard). */
interface UnixPortBinding {
  fd: number | null;
  readonly isOpen: boolean;
  poller: { once(event: 'readable', callback: (err?: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }>;
}

const readAsync = promisify(fsRead);

const isRetry = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR';
};

/**
 * Whether `fd` is known to be non-blocking, so that a synchronous read or write on it returns at once (EAGAIN when
 * it would wait) instead of stalling the event loop. serialport opens ports with O_NONBLOCK; only Linux lets us
 * check (in /proc), so elsewhere this says false and the thread-pool reads and writes stay.
 */
function isNonBlocking(fd: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const flags = /^flags:\s*([0-7]+)\s*$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    return flags !== null && (parseInt(flags[1], 8) & fsConstants.O_NONBLOCK) !== 0;
  } catch {
    return false;
  }
}

/**
 * Replaces the read of serialport's Unix binding; returns whether reads (and so writes) may be synchronous.
 *
 * serialport's Unix read retries a read that returns 0 bytes at once, forever. But 0 bytes is what a hung-up tty
 * returns (USB adapter unplugged, pty master closed): the process then spins at full CPU and never learns that the
 * device is gone. This read does the same as serialport's, except that repeated end-of-file reads become a
 * disconnect error, which closes the port with a DisconnectedError.
 *
 * And on a non-blocking fd it reads with read() right here rather than in libuv's thread pool: bytes that are
 * there are taken at once, and when none are (EAGAIN) it waits for the poller to say readable, as serialport does.
 * That saves two thread hand-offs per read, which is most of a protocol's turnaround at high baud rates.
 */
function replaceRead(binding: object): boolean {
  if (!('fd' in binding) || !('poller' in binding) || !('read' in binding)) return false;
  const port = binding as UnixPortBinding;
  const sync = port.fd !== null && isNonBlocking(port.fd);
  port.read = async (buffer, offset, length) => {
    let endOfFile = 0;
    for (;;) {
      if (!port.isOpen || port.fd === null) throw Object.assign(new Error('Port is not open'), { canceled: true });
      try {
        const bytesRead = sync
          ? readSync(port.fd, buffer, offset, length, null)
          : (await readAsync(port.fd, buffer, offset, length, null)).bytesRead;
        if (bytesRead > 0) return { bytesRead, buffer };
        if (++endOfFile >= 3) throw Object.assign(new Error('the line hung up'), { disconnect: true });
      } catch (e) {
        if (!isRetry(e)) throw e;
        if (!port.isOpen) throw Object.assign(new Error('Port is not open'), { canceled: true });
        await new Promise<void>((resolve, reject) => {
          port.poller.once('readable', (err) => (err ? reject(err) : resolve()));
        });
      }
    }
  };
  return sync;
}

/** An open serial port. */
export class SerialLink extends LinkBase {
  private closing = false;
  /** serialport's set() fills absent lines with defaults (DTR and RTS on), so the current state is kept here. */
  private lines = { dtr: true, rts: true, brk: false };

  /** `syncIo`: the port's fd is non-blocking and its reads are ours (replaceRead), so writes may be direct too. */
  private constructor(
    private readonly port: SerialPort,
    private readonly syncIo: boolean,
  ) {
    super(port.path);
    port.on('data', (chunk: Buffer) => this.deliver(chunk));
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (this.closing) this.markClosed(null);
      else this.markClosed(disconnectedError(this.name, err?.message));
    });
    port.on('error', (err: Error) => {
      if (this.isClosed) return;
      this.markClosed(disconnectedError(this.name, err.message));
      if (port.isOpen) port.close(() => undefined);
    });
  }

  /** Opens `path`; rejects with an OtaError from describeOpenError. */
  static async open(path: string, settings: Partial<SerialSettings> = {}): Promise<SerialLink> {
    const s = normalizeSerialSettings(settings);
    let port: SerialPort;
    try {
      port = new SerialPort({
        path,
        baudRate: s.baudRate,
        dataBits: s.dataBits,
        stopBits: s.stopBits,
        parity: s.parity,
        rtscts: s.rtscts,
        lock: s.lock,
        autoOpen: false,
      });
    } catch (e) {
      throw describeOpenError(path, e);
    }
    const syncIo = await new Promise<boolean>((resolve, reject) => {
      port.open((err) => {
        if (err) {
          reject(describeOpenError(path, err));
          return;
        }
        // Nothing has read from the port yet (no data listener): the read can still be replaced.
        resolve(port.port ? replaceRead(port.port) : false);
      });
    });
    return new SerialLink(port, syncIo);
  }

  write(data: Uint8Array): Promise<void> {
    if (this.isClosed) {
      return Promise.reject(this.closeError ?? new OtaError('failed', say`Serial port ${this.name} is closed.`, { code: 'link-closed' }));
    }
    let chunk = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const written = this.writeDirect(chunk);
    if (written === chunk.length) return Promise.resolve();
    chunk = chunk.subarray(written);
    return new Promise<void>((resolve, reject) => {
      this.port.write(chunk, (err) => {
        if (!err) resolve();
        else reject(this.closeError ?? disconnectedError(this.name, err.message));
      });
    });
  }

  /**
   * Writes what the driver takes at once with write() on the non-blocking fd, skipping the thread pool; returns
   * how many bytes that was. 0 (the caller then queues everything on the stream, whose write waits for writability)
   * when writes are not direct on this port, when the stream still has bytes queued (order), when the driver is full
   * (EAGAIN), or on any error (the stream's write meets it again and reports it the usual way).
   */
  private writeDirect(chunk: Buffer): number {
    const fd = (this.port.port as { fd?: unknown } | undefined)?.fd;
    if (!this.syncIo || typeof fd !== 'number' || !this.port.isOpen || chunk.length === 0) return 0;
    if (this.port.writableLength > 0 || !this.port.writable) return 0;
    try {
      return writeSync(fd, chunk, 0, chunk.length);
    } catch {
      return 0;
    }
  }

  /**
   * Rejects (code port-signals) where the port has no modem lines (a pseudo-terminal). Lines not given keep their
   * state (serialport's set() would put them back to its defaults, DTR and RTS on).
   */
  setSignals(signals: ControlSignals): Promise<void> {
    if (this.isClosed) return Promise.reject(this.closeError ?? new OtaError('failed', say`Serial port ${this.name} is closed.`, { code: 'link-closed' }));
    const next = {
      dtr: signals.dtr ?? this.lines.dtr,
      rts: signals.rts ?? this.lines.rts,
      brk: signals.brk ?? this.lines.brk,
    };
    return new Promise<void>((resolve, reject) => {
      this.port.set(next, (err) => {
        if (err) {
          reject(
            new OtaError('failed', say`Serial port ${this.name} cannot set its DTR/RTS lines (${err.message}).`, {
              code: 'port-signals',
              hint: say`Use an adapter with DTR/RTS, or put the board into its bootloader by hand when asked.`,
              cause: err,
            }),
          );
          return;
        }
        this.lines = next;
        resolve();
      });
    });
  }

  /** Note: serialport discards what is buffered both ways (tcflush) when it changes the rate. */
  setBaudRate(baudRate: number): Promise<void> {
    normalizeSerialSettings({ baudRate });
    if (this.isClosed) return Promise.reject(this.closeError ?? new OtaError('failed', say`Serial port ${this.name} is closed.`, { code: 'link-closed' }));
    return new Promise<void>((resolve, reject) => {
      this.port.update({ baudRate }, (err) => {
        if (err) reject(describeOpenError(this.name, err));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.closing = true;
    if (!this.port.isOpen) {
      this.markClosed(null);
      return;
    }
    await new Promise<void>((resolve) => {
      this.port.close(() => resolve());
    });
    this.markClosed(null);
  }
}

/** Opens a serial port as a ByteLink. */
export function openSerialLink(path: string, settings: Partial<SerialSettings> = {}): Promise<SerialLink> {
  return SerialLink.open(path, settings);
}

/** Runs `fn` with an open link and closes it afterwards, whether `fn` succeeds, throws or is cancelled. */
export async function withLink<T>(open: () => Promise<ByteLink>, fn: (link: ByteLink) => Promise<T>): Promise<T> {
  const link = await open();
  try {
    return await fn(link);
  } finally {
    await link.close().catch(() => undefined);
  }
}

/** `withLink` for a serial port path. */
export function withPort<T>(
  path: string,
  settings: Partial<SerialSettings>,
  fn: (link: ByteLink) => Promise<T>,
): Promise<T> {
  return withLink(() => openSerialLink(path, settings), fn);
}
