// The part of pako (a dependency of esptool-js) that the simulated ESP loader uses to inflate compressed writes.
declare module 'pako' {
  export class Inflate {
    constructor(options?: { chunkSize?: number });
    push(data: Uint8Array, flush?: boolean): boolean;
    onData: (chunk: Uint8Array) => void;
    err: number;
    msg: string;
    ended: boolean;
  }
}
