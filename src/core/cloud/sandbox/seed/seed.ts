// First-start data: the registries (always) and, unless asked not to, the demo account's history (demo.ts).
// Generated from a fixed PRNG seed so every fresh sandbox looks the same. Optionally bulk data for benchmarks.
import {
  LIMITS,
  SANDBOX_DEMO,
  SANDBOX_IOTAAP_DEVICES,
  SANDBOX_IOTAAP_EMAIL,
  SANDBOX_IOTAAP_GROUP_ID,
  SANDBOX_IOTAAP_PASSWORD,
  SANDBOX_IOTAAP_TOKEN,
  SANDBOX_IOTAAP_USER_ID,
  SANDBOX_OSS_BUCKET,
} from '../constants';
import { putObject } from '../oss/objects';
import { alibabaId, seededRandom } from '../random';
import { DAY, MINUTE, addFirmware, addJob, deviceName, firmwareImage, type Seeder } from './builders';
import { seedDemo } from './demo';
import { seedFleet } from './fleet';
import type { DeviceRecord, FirmwareRecord } from '../state/records';
import type { SandboxStore } from '../state/store';

export interface SandboxBulkSeed {
  /** Total firmware packages the account should hold (at most 500). */
  firmware?: number;
  /** Tasks of one completed job of the bench product (and as many bench devices). */
  tasks?: number;
}

function device(productKey: string, name: string, s: Seeder, versions: Record<string, string>, groupIds: string[]): DeviceRecord {
  return { productKey, deviceName: name, iotId: alibabaId(s.random, '000100'), versions, groupIds };
}

/** Products, device groups and devices of the Alibaba account; the IoTaaP user, group and devices. */
function seedRegistry(s: Seeder): void {
  const { store } = s;
  const { plug, weather, groups } = SANDBOX_DEMO;
  store.products.set(plug.productKey, { productKey: plug.productKey, productName: plug.productName, chip: 'ESP32' });
  store.products.set(weather.productKey, { productKey: weather.productKey, productName: weather.productName, chip: 'STM32' });
  store.groups.set(groups.betaTesters, { groupId: groups.betaTesters, groupName: 'beta-testers', productKey: plug.productKey });
  store.groups.set(groups.office, { groupId: groups.office, groupName: 'office', productKey: plug.productKey });
  store.groups.set(groups.rooftop, { groupId: groups.rooftop, groupName: 'rooftop', productKey: weather.productKey });
  const plugs = new Map<string, DeviceRecord>();
  for (let i = 1; i <= plug.devices; i++) {
    const name = deviceName(plug.devicePrefix, i, 4);
    const groupIds = i <= 20 ? [groups.betaTesters] : i <= 60 ? [groups.office] : [];
    plugs.set(name, device(plug.productKey, name, s, { [plug.module]: '1.0.0' }, groupIds));
  }
  store.devices.set(plug.productKey, plugs);
  const stations = new Map<string, DeviceRecord>();
  for (let i = 1; i <= weather.devices; i++) {
    const name = deviceName(weather.devicePrefix, i, 4);
    stations.set(name, device(weather.productKey, name, s, { [weather.module]: '1.9.3' }, i <= 10 ? [groups.rooftop] : []));
  }
  store.devices.set(weather.productKey, stations);

  const owner = SANDBOX_IOTAAP_USER_ID;
  store.iotaap.users = [
    { id: owner, email: SANDBOX_IOTAAP_EMAIL, password: SANDBOX_IOTAAP_PASSWORD, role: 'user', apiToken: SANDBOX_IOTAAP_TOKEN },
  ];
  store.iotaap.groups = [{ _id: SANDBOX_IOTAAP_GROUP_ID, name: 'greenhouses', owner }];
  store.iotaap.devices = SANDBOX_IOTAAP_DEVICES.map((d) => ({
    _id: d.id,
    name: d.name,
    owner,
    token: d.token,
    groupIds: d.name.startsWith('greenhouse') ? [SANDBOX_IOTAAP_GROUP_ID] : [],
  }));
}

/** The bench product: firmware up to the wanted total (sharing one image) and one completed job of N tasks. */
async function seedBulk(s: Seeder, bulk: SandboxBulkSeed): Promise<void> {
  const { bench } = SANDBOX_DEMO;
  const pk = bench.productKey;
  const taskCount = Math.max(0, Math.floor(bulk.tasks ?? 0));
  const wanted = Math.min(LIMITS.firmwarePerAccount, Math.max(0, Math.floor(bulk.firmware ?? 0)));
  const room = LIMITS.firmwarePerAccount - s.store.firmware.size;
  const firmwareCount = Math.min(room, Math.max(wanted - s.store.firmware.size, taskCount > 0 ? 1 : 0));
  if (firmwareCount <= 0) return;
  s.store.products.set(pk, { productKey: pk, productName: bench.productName, chip: 'ESP32-C3' });
  const devices = new Map<string, DeviceRecord>();
  for (let i = 1; i <= taskCount; i++) {
    const name = deviceName(bench.devicePrefix, i, 5);
    devices.set(name, device(pk, name, s, { default: '0.0.0' }, []));
  }
  s.store.devices.set(pk, devices);
  const objectKey = 'ota/seed/bench-image.bin';
  const image = firmwareImage(s.random, 'bench', 4096);
  await putObject(s.store, SANDBOX_OSS_BUCKET, objectKey, image, 'application/octet-stream', s.now - 10 * DAY);
  let first: FirmwareRecord | undefined;
  for (let i = 1; i <= firmwareCount; i++) {
    const f = await addFirmware(s, {
      productKey: pk,
      name: 'bench-fw',
      version: `0.1.${i}`,
      status: 1,
      module: 'default',
      ageMs: 10 * DAY - i * MINUTE,
      description: `Bench build ${i}`,
      objectKey,
    });
    first ??= f;
  }
  if (first && taskCount > 0) {
    addJob(s, {
      firmware: first,
      status: 'COMPLETED',
      ageMs: 9 * DAY,
      targetSelection: 'ALL',
      tasks: [...devices.values()].map((d, i) => [d, i % 20 === 19 ? 'FAILED' : 'SUCCEEDED']),
    });
  }
}

/** Fills an empty store. `demo: false` seeds only the registries (products, devices, IoTaaP user and devices). */
export async function seedStore(
  store: SandboxStore,
  now: number,
  options: { demo: boolean; bulk?: SandboxBulkSeed },
): Promise<void> {
  const s: Seeder = { store, random: seededRandom(20180120), now };
  seedRegistry(s);
  if (options.demo) {
    await seedDemo(s);
    await seedFleet(store, now);
  }
  if (options.bulk) await seedBulk(s, options.bulk);
}
