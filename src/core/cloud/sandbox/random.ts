// A seedable PRNG (../../prng.ts) so the demo data and the simulation can be replayed exactly, and the id
// formats Alibaba uses (opaque alphanumeric strings).
import { randomInt } from 'node:crypto';
import { mulberry32 } from '../../prng';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface Random {
  /** [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: T[]): T[];
  alnum(length: number): string;
}

function build(next: () => number): Random {
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)];
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(0, i);
        const t = items[i];
        items[i] = items[j];
        items[j] = t;
      }
      return items;
    },
    alnum: (length) => {
      let s = '';
      for (let i = 0; i < length; i++) s += ALNUM[int(0, ALNUM.length - 1)];
      return s;
    },
  };
}

export function seededRandom(seed: number): Random {
  return build(mulberry32(seed));
}

/** A PRNG seeded from the system's entropy (when no seed is asked for). */
export function unseededRandom(): Random {
  return seededRandom(randomInt(0, 2 ** 32 - 1));
}

/**
 * Opaque ids in Alibaba's style: 22 alphanumerics and a 4-digit suffix, e.g. `UfuxnwygsuSkVE0VCNxUz70100` (firmware
 * and tasks end in 0100, jobs in 0200), or with 000100 for device IotIds.
 */
export function alibabaId(random: Random, suffix: '0100' | '0200' | '000100' = '0100'): string {
  return `${random.alnum(suffix === '000100' ? 20 : 22)}${suffix}`;
}

/** A 24-hex MongoDB-style object id, as IoTaaP uses. */
export function objectId(random: Random): string {
  let s = '';
  for (let i = 0; i < 24; i++) s += random.int(0, 15).toString(16);
  return s;
}
