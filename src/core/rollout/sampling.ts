// Which devices each wave gets. The population is sorted, then shuffled with the plan's seed (mulberry32 and a
// Fisher-Yates shuffle), so the same plan over the same population always picks the same devices, whatever order the
// cloud listed them in. Named devices are set aside first, so no sampled wave takes a device named for a later one;
// every device is in at most one wave.
import { OtaError } from '../errors';
import { say } from '../sentences';
import { mulberry32 } from '../prng';
import type { RolloutPlan } from './plan';

/** A 32-bit seed from the rollout's name, for plans that give none. */
export function seedFromName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

export function seedOf(plan: RolloutPlan): number {
  return plan.seed ?? seedFromName(plan.name);
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** How many devices a cumulative percentage of the population reaches. */
export function cumulativeTarget(populationSize: number, percent: number): number {
  return Math.min(populationSize, Math.ceil((populationSize * percent) / 100 - 1e-9));
}

/** The devices of every wave, in wave order; waves never share a device. */
export function assignWaves(plan: RolloutPlan, population: readonly string[]): string[][] {
  const all = [...new Set(population)].sort();
  const members = new Set(all);
  const named = new Set<string>();
  plan.waves.forEach((w, i) => {
    if (!('devices' in w)) return;
    const missing = w.devices.filter((d) => !members.has(d));
    if (missing.length) {
      const shown = missing.length > 10 ? say`${missing.slice(0, 10).join(', ')} and ${missing.length - 10} more` : missing.join(', ');
      throw new OtaError(
        'invalid-input',
        missing.length === 1
          ? say`Wave ${i + 1} names a device not in the population: ${shown}. Fix the names or the population.`
          : say`Wave ${i + 1} names ${missing.length} devices not in the population: ${shown}. Fix the names or the population.`,
      );
    }
    for (const d of w.devices) {
      if (named.has(d)) throw new OtaError('invalid-input', say`The device "${d}" is named in two waves: name each device in one wave only.`);
      named.add(d);
    }
  });
  const pool = shuffled(
    all.filter((d) => !named.has(d)),
    seedOf(plan),
  );
  let next = 0;
  let assigned = 0;
  const take = (n: number): string[] => {
    const out = pool.slice(next, next + Math.max(0, n));
    next += out.length;
    return out;
  };
  return plan.waves.map((w) => {
    let devices: string[];
    if ('devices' in w) devices = [...w.devices];
    else if ('count' in w) devices = take(w.count);
    else devices = take(cumulativeTarget(all.length, w.percent) - assigned);
    assigned += devices.length;
    return devices;
  });
}
