// An object being received: its bytes go straight to a temporary file in the objects folder while MD5 and SHA-256
// are computed on the fly; `commit` fsyncs it and renames it into place, `discard` removes it (any failure, a
// refused upload, a client that went away). A crash leaves only a `.tmp` file, which the store removes on open.
import { createHash, type Hash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { commitTempFile, tempFileFor } from '../state/fsAtomic';

export interface ReceivedObject {
  size: number;
  md5: string;
  sha256: string;
}

export class ObjectUpload {
  private size = 0;
  private readonly md5: Hash = createHash('md5');
  private readonly sha256: Hash = createHash('sha256');
  private handle: FileHandle | undefined;
  private finished = false;

  private constructor(
    readonly target: string,
    readonly temp: string,
    handle: FileHandle,
    private readonly maxBytes: number,
    private readonly tooLarge: () => Error,
  ) {
    this.handle = handle;
  }

  /** Starts receiving into a temporary file next to `target`; `write` throws `tooLarge()` past `maxBytes`. */
  static async open(target: string, maxBytes: number, tooLarge: () => Error): Promise<ObjectUpload> {
    const temp = tempFileFor(target);
    return new ObjectUpload(target, temp, await open(temp, 'wx'), maxBytes, tooLarge);
  }

  get bytes(): number {
    return this.size;
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.handle) throw new Error('the upload is closed');
    this.size += data.length;
    if (this.size > this.maxBytes) throw this.tooLarge();
    this.md5.update(data);
    this.sha256.update(data);
    for (let offset = 0; offset < data.length; ) {
      const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
  }

  /**
   * Makes the bytes durable and puts them at `target` (by default the one it was opened for; another one in the same
   * folder when the form said where only after the file, as an IoTaaP deploy may).
   */
  async commit(target: string = this.target): Promise<ReceivedObject> {
    if (!this.handle) throw new Error('the upload is closed');
    const handle = this.handle;
    this.handle = undefined;
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await commitTempFile(this.temp, target);
    this.finished = true;
    return { size: this.size, md5: this.md5.digest('hex'), sha256: this.sha256.digest('hex') };
  }

  /** Removes the temporary file; nothing once committed. Never throws. */
  async discard(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    await rm(this.temp, { force: true }).catch(() => undefined);
  }
}
