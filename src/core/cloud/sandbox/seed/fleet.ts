// The demo fleet for staged rollouts: Smart Plug Fleet, 2,400 devices on 2.0.0 across three hardware revisions
// (a quarter are rev-B), one in ten slow, one in ninety-seven offline; and its firmware: 2.1.0, which installs
// everywhere (the sandbox's failure rate aside), the 2.2.0-rc1 release candidate, whose new flash driver fails on
// 30 % of rev-B by rule (fleetRules.ts), and 2.1.9-beta with the demo's rollout that a gate stopped
// (demoRollout.ts). Profiles follow from the device's number, so tests can tell them too.
// Generated from its own PRNG seed, so the rest of the demo looks as it always did.
import { SANDBOX_DEMO } from '../constants';
import { alibabaId, seededRandom } from '../random';
import type { DeviceProfile, FirmwareOutcome } from '../simulation/fleetRules';
import type { DeviceRecord } from '../state/records';
import type { SandboxStore } from '../state/store';
import { DAY, addFirmware, deviceName, type Seeder } from './builders';
import { DEMO_ROLLOUT_OUTCOME, seedDemoRollout } from './demoRollout';

const FLEET_SEED = 2400;

export const FLEET_RC_OUTCOME: FirmwareOutcome = { failures: [{ hardware: 'rev-B', percent: 30, reason: 'flash write failed' }] };

/** The profile of fleet device number `n` (1-based). */
export function fleetProfileOf(n: number): DeviceProfile {
  const hardware = n % 4 === 2 ? 'rev-B' : n % 4 === 3 ? 'rev-C' : 'rev-A';
  return { hardware, ...(n % 10 === 7 ? { slow: true } : {}), ...(n % 97 === 0 ? { offline: true } : {}) };
}

/** The profile of a fleet device by name ("fleet-0002"), or undefined for another name. */
export function fleetProfile(name: string): DeviceProfile | undefined {
  const { devicePrefix, devices } = SANDBOX_DEMO.fleet;
  if (!name.startsWith(devicePrefix)) return undefined;
  const n = Number(name.slice(devicePrefix.length));
  return Number.isInteger(n) && n >= 1 && n <= devices ? fleetProfileOf(n) : undefined;
}

export async function seedFleet(store: SandboxStore, now: number): Promise<void> {
  const { fleet } = SANDBOX_DEMO;
  const s: Seeder = { store, random: seededRandom(FLEET_SEED), now };
  store.products.set(fleet.productKey, { productKey: fleet.productKey, productName: fleet.productName, chip: 'ESP32-C3' });
  const devices = new Map<string, DeviceRecord>();
  for (let n = 1; n <= fleet.devices; n++) {
    const name = deviceName(fleet.devicePrefix, n, 4);
    devices.set(name, {
      productKey: fleet.productKey,
      deviceName: name,
      iotId: alibabaId(s.random, '000100'),
      versions: { [fleet.module]: '2.0.0' },
      groupIds: [],
      profile: fleetProfileOf(n),
    });
  }
  store.devices.set(fleet.productKey, devices);
  const fw = (version: string, ageMs: number, description: string) =>
    addFirmware(s, { productKey: fleet.productKey, name: 'fleet-main', version, status: 1, module: fleet.module, ageMs, description });
  await fw('2.0.0', 40 * DAY, 'The image the fleet runs');
  await fw('2.1.0', 6 * DAY, 'Stable: energy reports');
  const rc = await fw('2.2.0-rc1', DAY, 'Release candidate: new flash driver');
  rc.outcome = FLEET_RC_OUTCOME;
  const beta = await fw('2.1.9-beta', 2 * DAY, 'Beta: watchdog rework');
  beta.outcome = DEMO_ROLLOUT_OUTCOME;
  await seedDemoRollout(s, beta, [...devices.values()], store.dir);
}
