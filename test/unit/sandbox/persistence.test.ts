import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { SANDBOX_DEMO, startSandbox } from '../../../src/core/cloud/sandbox';
import { allTasks, countBy, createFirmware, firmwareBytes, md5Hex, ok, tempDir, type Json } from './helpers';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe('sandbox: state across restarts', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps firmware, binaries, jobs, task progress and IoTaaP sessions across a restart', async () => {
    const first = await startSandbox({ dataDir: dir, seed: false, qps: false, tickMs: 0, failureRate: 0, randomSeed: 3 });
    const bytes = firmwareBytes(2048, 11);
    let firmwareId: string;
    let jobId: string;
    let token: string;
    let before: Json[];
    try {
      firmwareId = await createFirmware(first, { ProductKey: SANDBOX_DEMO.plug.productKey, DestVersion: '8.0.0', NeedToVerify: false }, bytes);
      jobId = ((await ok(first, 'CreateOTAStaticUpgradeJob', {
        FirmwareId: firmwareId,
        ProductKey: SANDBOX_DEMO.plug.productKey,
        TargetSelection: 'SPECIFIC',
        'TargetDeviceName.1': 'plug-0001',
        'TargetDeviceName.2': 'plug-0002',
      })).Data as Json).JobId as string;
      await first.tick();
      await first.tick();
      before = await allTasks(first, jobId);
      const login = await request(`${first.iotaapBaseUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: first.credentials.iotaap.email, password: first.credentials.iotaap.password }),
      });
      token = ((await login.body.json()) as Json).token as string;
    } finally {
      await first.close();
    }
    assert.equal((await filesUnder(dir)).filter((f) => f.endsWith('.tmp')).length, 0, 'no temporary files left');
    await assert.rejects(readFile(join(dir, 'sandbox.lock')), 'the lock is released on close');

    const second = await startSandbox({ dataDir: dir, qps: false, tickMs: 0, failureRate: 0 });
    try {
      assert.notEqual(second.port, 0);
      const info = (await ok(second, 'QueryOTAFirmware', { FirmwareId: firmwareId })).FirmwareInfo as Json;
      assert.equal(info.DestVersion, '8.0.0');
      const download = await request(info.FirmwareUrl as string);
      assert.equal(download.statusCode, 200);
      assert.equal(md5Hex(new Uint8Array(await download.body.arrayBuffer())), md5Hex(bytes));
      assert.deepEqual(await allTasks(second, jobId), before);
      const list = await request(`${second.iotaapBaseUrl}/ota/device`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(list.statusCode, 200, 'the login token survives the restart');
      await list.body.dump();
      // seed: true on a folder that already has state changes nothing.
      const all = await ok(second, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 100 });
      assert.equal(all.Total, 1);
      for (let i = 0; i < 50 && ((await ok(second, 'QueryOTAJob', { JobId: jobId })).Data as Json).JobStatus !== 'COMPLETED'; i++) {
        await second.tick();
      }
      assert.deepEqual(countBy(await allTasks(second, jobId)), { SUCCEEDED: 2 });
    } finally {
      await second.close();
    }
  });

  it('writes state files that are complete JSON at every acknowledged step', async () => {
    const sandbox = await startSandbox({ dataDir: dir, seed: false, qps: false, tickMs: 0 });
    try {
      const firmwareId = await createFirmware(sandbox, { ProductKey: SANDBOX_DEMO.plug.productKey, DestVersion: '8.1.0' });
      // Acknowledged means written: the file already names the firmware while the sandbox still runs.
      const saved = JSON.parse(await readFile(join(dir, 'firmware.json'), 'utf8')) as Json[];
      assert.ok(saved.some((f) => f.firmwareId === firmwareId));
    } finally {
      await sandbox.close();
    }
  });

  it('refuses a second sandbox on the same folder, and takes over a lock left by a dead process', async () => {
    const sandbox = await startSandbox({ dataDir: dir, seed: false, tickMs: 0 });
    try {
      await assert.rejects(startSandbox({ dataDir: dir, seed: false, tickMs: 0 }), /in use by another sandbox/);
    } finally {
      await sandbox.close();
    }
    await writeFile(join(dir, 'sandbox.lock'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    const again = await startSandbox({ dataDir: dir, seed: false, tickMs: 0 });
    await again.close();
  });

  it('names a damaged state file', async () => {
    const sandbox = await startSandbox({ dataDir: dir, seed: false, tickMs: 0 });
    await sandbox.close();
    await writeFile(join(dir, 'jobs.json'), '[{"jobId": ');
    await assert.rejects(startSandbox({ dataDir: dir, tickMs: 0 }), /jobs\.json is damaged/);
  });

  it('ticks on its own when tickMs is set, and stops when closed', async () => {
    const sandbox = await startSandbox({ dataDir: dir, seed: true, qps: false, tickMs: 5 });
    const big = (await ok(sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10, ProductKey: SANDBOX_DEMO.plug.productKey, DestVersion: '1.2.0' }));
    const firmwareId = ((big.FirmwareInfo as Json).SimpleFirmwareInfo as Json[])[0]?.FirmwareId as string;
    const jobId = (((await ok(sandbox, 'ListOTAJobByFirmware', { FirmwareId: firmwareId, CurrentPage: 1, PageSize: 10 })).Data as Json)
      .SimpleOTAJobInfo as Json[])[0]?.JobId as string;
    const initial = JSON.stringify(await allTasks(sandbox, jobId));
    let changed = false;
    for (let i = 0; i < 200 && !changed; i++) {
      await new Promise((r) => setTimeout(r, 10));
      changed = JSON.stringify(await allTasks(sandbox, jobId)) !== initial;
    }
    await sandbox.close();
    assert.ok(changed, 'the automatic ticker moved the demo job');
    await sandbox.close(); // twice is fine
    await assert.rejects(sandbox.tick(), /closed/);
  });
});

describe('sandbox: demo data', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('seeds three products, firmware in every status and type, and jobs in every state', async () => {
    const sandbox = await startSandbox({ dataDir: dir, qps: false, tickMs: 0 });
    try {
      const body = await ok(sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 100 });
      const firmware = (body.FirmwareInfo as Json).SimpleFirmwareInfo as Json[];
      assert.deepEqual(new Set(firmware.map((f) => f.ProductName)), new Set(['Smart Plug', 'Weather Station', 'Smart Plug Fleet']));
      assert.deepEqual(new Set(firmware.map((f) => f.Status)), new Set([-1, 0, 1, 2, 3]));
      assert.deepEqual(new Set(firmware.map((f) => f.Type)), new Set([0, 1]));
      const jobStates = new Set<string>();
      let biggest = 0;
      for (const f of firmware) {
        const jobs = (await ok(sandbox, 'ListOTAJobByFirmware', { FirmwareId: f.FirmwareId as string, CurrentPage: 1, PageSize: 50 })).Data as Json;
        for (const j of jobs.SimpleOTAJobInfo as Json[]) {
          jobStates.add(j.JobStatus as string);
          const tasks = await ok(sandbox, 'ListOTATaskByJob', { JobId: j.JobId as string, CurrentPage: 1, PageSize: 1 });
          biggest = Math.max(biggest, tasks.Total as number);
        }
        // Every seeded firmware can be downloaded and matches its sign.
        const info = (await ok(sandbox, 'QueryOTAFirmware', { FirmwareId: f.FirmwareId as string })).FirmwareInfo as Json;
        const bytes = new Uint8Array(await (await request(info.FirmwareUrl as string)).body.arrayBuffer());
        assert.equal(md5Hex(bytes), info.FirmwareSign);
        assert.equal(bytes.length, info.FirmwareSize);
      }
      assert.deepEqual(jobStates, new Set(['PLANNED', 'IN_PROGRESS', 'COMPLETED', 'CANCELED']));
      assert.equal(biggest, 300);
    } finally {
      await sandbox.close();
    }
  });
});
