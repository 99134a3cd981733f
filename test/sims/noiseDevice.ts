// A "device" that only babbles: random bytes at random (or fixed) times on a byte link, reading and dropping
// whatever is sent to it, as a board at the wrong baud rate, or not in its bootloader, does. Seeded, so a failure
// replays exactly.
import { mulberry32 } from '../../src/core/prng';
import { type ByteLink } from '../../src/core/serial/byteLink';

export interface NoiseOptions {
  seed: number;
  /** Bytes per burst: [min, max]. */
  burst: [number, number];
  /** Pause between bursts in ms: [min, max]. */
  intervalMs: [number, number];
}

export interface NoiseDevice {
  /** Bytes sent so far. */
  readonly sent: number;
  /** Bytes received (and dropped) so far. */
  readonly received: number;
  stop(): void;
}

export function startNoise(link: ByteLink, o: NoiseOptions): NoiseDevice {
  const random = mulberry32(o.seed);
  const between = ([min, max]: [number, number]): number => min + Math.floor(random() * (max - min + 1));
  let sent = 0;
  let received = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const off = link.onData((chunk) => (received += chunk.length));
  const tick = (): void => {
    if (stopped || link.isClosed) return;
    const bytes = new Uint8Array(between(o.burst));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
    sent += bytes.length;
    link.write(bytes).then(schedule, () => undefined);
  };
  const schedule = (): void => {
    if (!stopped) timer = setTimeout(tick, between(o.intervalMs));
  };
  schedule();
  return {
    get sent() {
      return sent;
    },
    get received() {
      return received;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      off();
    },
  };
}
