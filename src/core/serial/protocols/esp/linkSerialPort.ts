// A Web Serial `SerialPort` look-alike over one of our ByteLinks, which is what esptool-js talks to: open/close
// (streams over the link, which stays open: the session owns it), readable/writable, setSignals for DTR/RTS (the
// reset circuits), setBaudRate (so that esptool-js changes the rate in place instead of reopening the port) and
// getInfo (USB vendor and product id, which decide the USB-Serial/JTAG reset sequence).

import { ReadableStream, WritableStream } from 'node:stream/web';
import { say } from '../../../sentences';
import { type ByteLink } from '../../byteLink';

export interface UsbIds {
  usbVendorId?: number;
  usbProductId?: number;
}

/** The subset of Web Serial's SerialPort that esptool-js uses. */
export class LinkSerialPort {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  /** null until tried; false once the link refused to set a line (a pseudo-terminal, a bare adapter). */
  signalsWork: boolean | null = null;
  private baud: number | null = null;
  private detach: (() => void) | null = null;

  constructor(
    private readonly link: ByteLink,
    private readonly ids: UsbIds = {},
  ) {
    if (!link.setSignals) this.signalsWork = false;
  }

  getInfo(): UsbIds {
    return { ...this.ids };
  }

  /** Starts streams over the link. The link itself is already open (and stays so after close()). */
  async open(options: { baudRate: number }): Promise<void> {
    if (this.link.isClosed) throw new Error(say`${this.link.name} is closed.`);
    if (this.readable) return;
    if (this.baud !== options.baudRate && this.link.setBaudRate) {
      await this.link.setBaudRate(options.baudRate);
      this.baud = options.baudRate;
    }
    const link = this.link;
    let offData: () => void = () => undefined;
    let offClose: () => void = () => undefined;
    this.readable = new ReadableStream<Uint8Array>({
      start(controller) {
        offData = link.onData((chunk) => controller.enqueue(Uint8Array.from(chunk)));
        offClose = link.onClose((error) => {
          try {
            if (error) controller.error(error);
            else controller.close();
          } catch {
            // already closed
          }
        });
      },
      cancel() {
        offData();
        offClose();
      },
    });
    this.writable = new WritableStream<Uint8Array>({ write: (chunk) => link.write(chunk) });
    this.detach = () => {
      offData();
      offClose();
    };
  }

  async close(): Promise<void> {
    this.detach?.();
    this.detach = null;
    const readable = this.readable;
    this.readable = null;
    this.writable = null;
    if (readable && !readable.locked) await readable.cancel().catch(() => undefined);
  }

  /** Sets DTR/RTS; where the link cannot, remembers that (the caller then asks a person to reset the board). */
  async setSignals(signals: { dataTerminalReady?: boolean; requestToSend?: boolean; break?: boolean }): Promise<void> {
    if (!this.link.setSignals || this.signalsWork === false) {
      this.signalsWork = false;
      return;
    }
    try {
      await this.link.setSignals({
        ...(signals.dataTerminalReady !== undefined ? { dtr: signals.dataTerminalReady } : {}),
        ...(signals.requestToSend !== undefined ? { rts: signals.requestToSend } : {}),
        ...(signals.break !== undefined ? { brk: signals.break } : {}),
      });
      this.signalsWork = true;
    } catch {
      this.signalsWork = false;
    }
  }

  async setBaudRate(baudRate: number): Promise<void> {
    if (this.link.setBaudRate) await this.link.setBaudRate(baudRate);
    this.baud = baudRate;
  }
}
