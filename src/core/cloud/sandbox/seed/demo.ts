// The demo account's history: firmware of the Smart Plug and the Weather Station in every status, jobs in every
// state (the Smart Plug's 1.2.0 rollout has 300 device tasks in all task states), and IoTaaP devices' past OTAs.
import { SANDBOX_DEMO, SANDBOX_IOTAAP_DEVICES, SANDBOX_IOTAAP_GROUP_ID, SANDBOX_IOTAAP_USER_ID } from '../constants';
import { putObject } from '../oss/objects';
import { objectId } from '../random';
import { DAY, HOUR, MINUTE, addFirmware, addJob, devicesOf, firmwareImage, setVersion, type Seeder } from './builders';
import type { DeviceRecord, TaskStatusValue } from '../state/records';

/** Adds firmware of one product's line: `name` for full images, `name-delta` for deltas from `srcVersion`. */
function firmwareLine(s: Seeder, productKey: string, module: string, name: string) {
  return (version: string, status: -1 | 0 | 1 | 2 | 3, ageMs: number, description: string, srcVersion?: string) =>
    addFirmware(s, { productKey, name: srcVersion === undefined ? name : `${name}-delta`, version, srcVersion, status, module, ageMs, description });
}

async function seedPlugs(s: Seeder): Promise<void> {
  const { plug, groups } = SANDBOX_DEMO;
  const pk = plug.productKey;
  const module = plug.module;
  const devices = devicesOf(s, pk);
  const fw = firmwareLine(s, pk, module, 'plug-main');

  await fw('1.0.0', 1, 120 * DAY, 'Factory image');
  const v110 = await fw('1.1.0', 1, 60 * DAY, 'Power metering fixes');
  // A gray rollout of 1.1.0 (10 %), a cancelled office job, then everyone moved to 1.1.0.
  const gray = s.random.shuffle([...devices]).slice(0, 30);
  addJob(s, {
    firmware: v110,
    status: 'COMPLETED',
    ageMs: 59 * DAY,
    targetSelection: 'GRAY',
    extra: { grayPercent: '10', srcVersions: ['1.0.0'] },
    tasks: gray.map((d, i) => [d, i < 28 ? 'SUCCEEDED' : 'FAILED']),
  });
  const office = devices.filter((d) => d.groupIds.includes(groups.office)).slice(0, 12);
  addJob(s, {
    firmware: v110,
    status: 'CANCELED',
    ageMs: 58 * DAY,
    targetSelection: 'SPECIFIC',
    tasks: office.map((d) => [d, 'CANCELED']),
  });
  setVersion(devices, module, '1.1.0');

  // The fleet rollout of 1.2.0, under way: every task state, confirmation required.
  const v120 = await fw('1.2.0', 1, 5 * DAY, 'Scheduling and energy reports');
  const mix: [TaskStatusValue, number][] = [
    ['SUCCEEDED', 150],
    ['FAILED', 30],
    ['CANCELED', 10],
    ['IN_PROGRESS', 40],
    ['NOTIFIED', 25],
    ['QUEUED', 30],
    ['CONFIRM', 15],
  ];
  const statuses = s.random.shuffle(mix.flatMap(([status, n]) => Array<TaskStatusValue>(n).fill(status)));
  addJob(s, {
    firmware: v120,
    status: 'IN_PROGRESS',
    ageMs: 4 * DAY,
    targetSelection: 'ALL',
    extra: { needConfirm: true, retryInterval: 10, retryCount: 2, maximumPerMinute: 100, jobDesc: 'Fleet rollout of 1.2.0' },
    tasks: devices.map((d, i) => [d, statuses[i] ?? 'QUEUED']),
  });
  setVersion(
    devices.filter((_, i) => statuses[i] === 'SUCCEEDED'),
    module,
    '1.2.0',
  );

  await fw('1.2.1', 0, 2 * DAY, 'Delta 1.2.0 -> 1.2.1: relay debounce', '1.2.0');
  const device = (n: number): DeviceRecord => devices[n - 1];
  const failedVerify = await fw('1.2.9-beta', 3, 3 * DAY, 'Beta with the new TLS stack');
  addJob(s, {
    firmware: failedVerify,
    status: 'COMPLETED',
    ageMs: 3 * DAY - HOUR,
    jobType: 'VERIFY_FIRMWARE',
    targetSelection: 'SPECIFIC',
    extra: { timeoutInMinutes: 60 },
    tasks: [
      [device(4), 'SUCCEEDED'],
      [device(5), 'FAILED'],
    ],
  });
  failedVerify.verifyProgress = 50;
  const verifying = await fw('1.3.0-rc1', 2, DAY, 'Release candidate: Matter support');
  addJob(s, {
    firmware: verifying,
    status: 'IN_PROGRESS',
    ageMs: 20 * MINUTE,
    jobType: 'VERIFY_FIRMWARE',
    targetSelection: 'SPECIFIC',
    extra: { timeoutInMinutes: 120 },
    tasks: [
      [device(1), 'SUCCEEDED'],
      [device(2), 'IN_PROGRESS'],
      [device(3), 'QUEUED'],
    ],
  });
  verifying.verifyProgress = 40;
}

async function seedStations(s: Seeder): Promise<void> {
  const { weather, groups } = SANDBOX_DEMO;
  const pk = weather.productKey;
  const module = weather.module;
  const devices = devicesOf(s, pk);
  const fw = firmwareLine(s, pk, module, 'wx-mcu');

  const v200 = await fw('2.0.0', -1, 30 * DAY, 'Sensor fusion rewrite');
  const failing = new Set(['wx-0002', 'wx-0005', 'wx-0009']);
  addJob(s, {
    firmware: v200,
    status: 'COMPLETED',
    ageMs: 29 * DAY,
    targetSelection: 'ALL',
    extra: { srcVersions: ['1.9.3'], retryInterval: 0, retryCount: 1, timeoutInMinutes: 30 },
    tasks: devices.map((d) => [d, failing.has(d.deviceName) ? 'FAILED' : 'SUCCEEDED']),
  });
  setVersion(
    devices.filter((d) => !failing.has(d.deviceName)),
    module,
    '2.0.0',
  );
  // The three stragglers get another go in a scheduled group job.
  addJob(s, {
    firmware: v200,
    status: 'PLANNED',
    ageMs: HOUR,
    targetSelection: 'GROUP',
    extra: { groupId: groups.rooftop, srcVersions: ['1.9.3'], scheduleTime: s.now + 2 * DAY, retryInterval: 10, retryCount: 2 },
    tasks: devices.filter((d) => failing.has(d.deviceName)).map((d) => [d, 'QUEUED']),
  });

  // A dynamic delta job: devices on 2.0.0 join as they show up.
  const delta = await fw('2.0.1', -1, DAY, 'Delta 2.0.0 -> 2.0.1: rain gauge calibration', '2.0.0');
  const joined = devices.filter((d) => !failing.has(d.deviceName)).slice(0, 12);
  const states: TaskStatusValue[] = ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'];
  states.push('IN_PROGRESS', 'IN_PROGRESS', 'QUEUED', 'QUEUED', 'QUEUED', 'QUEUED');
  addJob(s, {
    firmware: delta,
    status: 'IN_PROGRESS',
    ageMs: 20 * HOUR,
    selectionType: 'DYNAMIC',
    targetSelection: 'ALL',
    extra: { dynamicMode: 1, maximumPerMinute: 10 },
    tasks: joined.map((d, i) => [d, states[i] ?? 'QUEUED']),
  });
  setVersion(joined.slice(0, 6), module, '2.0.1');
  await fw('2.1.0', 0, 6 * HOUR, 'Solar charge controller support');
}

async function seedIotaapOtas(s: Seeder): Promise<void> {
  const owner = SANDBOX_IOTAAP_USER_ID;
  const versions: Record<string, string> = {
    'greenhouse-1': '1.2.7',
    'greenhouse-2': '1.2.7',
    'greenhouse-3': '1.2.6',
    'garage-door': '0.9.1',
    'water-meter': '2.0.0',
  };
  const store = s.store;
  let age = 40 * DAY;
  for (const device of SANDBOX_IOTAAP_DEVICES) {
    const version = versions[device.name];
    if (version === undefined) continue;
    age -= 5 * DAY;
    const path = `ota/device/${device.id}${device.token}/firmware.bin`;
    const image = firmwareImage(s.random, `${device.name} ${version}`, 16 * 1024);
    await putObject(store, 'iotaap', path, image, 'application/octet-stream', s.now - age);
    store.iotaap.otas.push({
      _id: objectId(s.random),
      target: device.id,
      kind: 'device',
      owner,
      path,
      version,
      lastUpdated: s.now - age,
      objectKey: path,
    });
  }
  const groupPath = `ota/group/${SANDBOX_IOTAAP_GROUP_ID}/firmware.bin`;
  const image = firmwareImage(s.random, 'greenhouses 1.2.7', 16 * 1024);
  await putObject(store, 'iotaap', groupPath, image, 'application/octet-stream', s.now - DAY);
  store.iotaap.otas.push({
    _id: objectId(s.random),
    target: SANDBOX_IOTAAP_GROUP_ID,
    kind: 'group',
    owner,
    path: groupPath,
    version: '1.2.7',
    lastUpdated: s.now - DAY,
    objectKey: groupPath,
  });
}

export async function seedDemo(s: Seeder): Promise<void> {
  await seedPlugs(s);
  await seedStations(s);
  await seedIotaapOtas(s);
}
