// A loopback Alibaba endpoint that plays a fleet for the rollout tests and records every call: it verifies each
// signature (fakeAliyun), answers the device listings, creates SPECIFIC jobs from names or from a device-list file
// posted to a loopback OSS, and keeps tasks whose fate the test decides (`settle`). A device that already has an
// unfinished task gets a FAILED task in a new job, as Alibaba does, and the overlap is recorded.
import { AliyunRpcClient } from '../../../src/core/cloud/aliyun/rpcClient';
import { startLoopback, type Loopback } from '../net/loopback';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, reply, startFakeAliyun, type FakeAliyun, type RpcCall } from '../aliyun/fakeAliyun';

export interface FleetTask {
  id: string;
  device: string;
  status: string;
  desc: string | null;
  progress: number;
}

export interface FleetJob {
  id: string;
  desc: string;
  createdAt: number;
  devices: string[];
  tasks: FleetTask[];
  viaFile: boolean;
  srcVersions: string[];
}

export interface RecordingFleet {
  fake: FakeAliyun;
  oss: Loopback;
  rpc: AliyunRpcClient;
  devices: string[];
  versions: Map<string, string>;
  jobs: FleetJob[];
  /** Devices that were given a second unfinished task while one was open. */
  overlaps: string[];
  /** Actions of the write calls, in order. */
  writes(): RpcCall[];
  calls(action: string): RpcCall[];
  /** Moves every unfinished task the rule gives a status for. */
  settle(rule: (task: FleetTask, job: FleetJob) => string | { status: string; desc?: string } | null): void;
  close(): Promise<void>;
}

const WRITE_ACTIONS = new Set(['CreateOTAStaticUpgradeJob', 'CancelOTATaskByJob', 'ReupgradeOTATask', 'GenerateDeviceNameListURL']);
const UNFINISHED = new Set(['CONFIRM', 'QUEUED', 'NOTIFIED', 'IN_PROGRESS']);

function list(params: Record<string, string>, name: string): string[] {
  const out: { n: number; v: string }[] = [];
  for (const [k, v] of Object.entries(params)) {
    const m = new RegExp(`^${name}\\.(\\d+)$`).exec(k);
    if (m) out.push({ n: Number(m[1]), v });
  }
  return out.sort((a, b) => a.n - b.n).map((x) => x.v);
}

function page<T>(items: T[], params: Record<string, string>, max: number): { slice: T[]; current: number; size: number } {
  const current = Number(params.CurrentPage ?? 1);
  const size = Math.min(max, Number(params.PageSize ?? 10));
  return { slice: items.slice((current - 1) * size, current * size), current, size };
}

export async function startRecordingFleet(options: {
  devices: number;
  prefix?: string;
  versionOf?: (i: number) => string;
  /** The firmware's OTA module (default: "default"); versions are reported for it. */
  module?: string;
}): Promise<RecordingFleet> {
  const module = options.module ?? 'default';
  const prefix = options.prefix ?? 'plug-';
  const devices = Array.from({ length: options.devices }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);
  const versions = new Map(devices.map((d, i) => [d, options.versionOf?.(i) ?? '1.3.0']));
  const jobs: FleetJob[] = [];
  const overlaps: string[] = [];
  const files = new Map<string, string[]>();
  let serial = 0;

  const oss = await startLoopback((req, res) => {
    const body = req.body.toString('utf8');
    const key = /name="key"\r\n\r\n([^\r]*)\r\n/.exec(body)?.[1] ?? '';
    const file = /filename="[^"]*"\r\nContent-Type: [^\r]*\r\n\r\n([\s\S]*?)\r\n--/.exec(body)?.[1] ?? '';
    files.set(key, file.split('\n').filter(Boolean));
    res.writeHead(200);
    res.end();
  });

  const open = (device: string): boolean => jobs.some((j) => j.tasks.some((t) => t.device === device && UNFINISHED.has(t.status)));
  const taskInfo = (job: FleetJob, t: FleetTask) => ({
    TaskId: t.id,
    JobId: job.id,
    DeviceName: t.device,
    ProductKey: 'pk-plug',
    TaskStatus: t.status,
    TaskDesc: t.desc,
    Progress: String(t.progress),
    UtcCreate: new Date(job.createdAt).toISOString(),
    UtcModified: new Date().toISOString(),
  });
  const findJob = (id: string): FleetJob | undefined => jobs.find((j) => j.id === id);

  const fake = await startFakeAliyun({
    QueryDevice: (call) => {
      const { slice, current, size } = page(devices, call.params, 50);
      return { Success: true, Total: devices.length, Page: current, PageSize: size, Data: { DeviceInfo: slice.map((d) => ({ DeviceName: d, IotId: `iot-${d}` })) } };
    },
    QueryOTAFirmware: (call) => ({ Success: true, FirmwareInfo: { FirmwareId: call.params.FirmwareId, DestVersion: '1.4.0', ModuleName: module } }),
    ListOTAModuleVersionsByDevice: (call) => ({
      Success: true,
      Total: 1,
      Data: { SimpleOTAModuleInfo: [{ DeviceName: call.params.DeviceName, ModuleName: module, ModuleVersion: versions.get(call.params.DeviceName) ?? '' }] },
    }),
    // The default module's version only (FirmwareVersion); at most 100 names, unknown ones left out.
    BatchQueryDeviceDetail: (call) => {
      const names = list(call.params, 'DeviceName');
      if (names.length > 100) return reply(400, { Success: false, Code: 'InvalidParameter', Message: 'at most 100 names' });
      const known = names.filter((n) => versions.has(n));
      return {
        Success: true,
        Data: { Data: known.map((n) => ({ DeviceName: n, ProductKey: 'pk-plug', FirmwareVersion: module === 'default' ? versions.get(n) : '0.9.0' })) },
      };
    },
    GenerateDeviceNameListURL: () => {
      const key = `ota/devices/${++serial}.csv`;
      return { Success: true, Data: { Key: key, Host: oss.url, Policy: 'cG9saWN5', AccessKeyId: 'oss-ak', Signature: 'c2ln', FileUrl: `${oss.url}${key}` } };
    },
    CreateOTAStaticUpgradeJob: (call) => {
      const fileUrl = call.params.DnListFileUrl;
      const names = fileUrl ? (files.get(fileUrl.slice(oss.url.length)) ?? []) : list(call.params, 'TargetDeviceName');
      if (names.length === 0) return reply(400, { Success: false, Code: 'InvalidParameter', Message: 'no devices' });
      if (!fileUrl && names.length > 200) return reply(400, { Success: false, Code: 'InvalidParameter', Message: 'at most 200 names' });
      const job: FleetJob = {
        id: `job-${++serial}`,
        desc: call.params.JobDesc ?? '',
        createdAt: Date.now(),
        devices: names,
        tasks: [],
        viaFile: Boolean(fileUrl),
        srcVersions: list(call.params, 'SrcVersion'),
      };
      for (const d of names) {
        const busy = open(d);
        if (busy) overlaps.push(d);
        job.tasks.push({ id: `t-${++serial}`, device: d, status: busy ? 'FAILED' : 'QUEUED', desc: busy ? 'device has another upgrade' : null, progress: 0 });
      }
      jobs.push(job);
      return { Success: true, Data: { JobId: job.id, UtcCreate: new Date(job.createdAt).toISOString() } };
    },
    ListOTAJobByFirmware: (call) => {
      const { slice, current, size } = page(jobs, call.params, 200);
      return {
        Success: true,
        Total: jobs.length,
        CurrentPage: current,
        PageSize: size,
        Data: {
          SimpleOTAJobInfo: slice.map((j) => ({
            JobId: j.id,
            JobStatus: j.tasks.some((t) => UNFINISHED.has(t.status)) ? 'IN_PROGRESS' : 'COMPLETED',
            JobType: 'UPGRADE_FIRMWARE',
            TargetSelection: 'SPECIFIC',
            UtcCreate: new Date(j.createdAt).toISOString(),
          })),
        },
      };
    },
    QueryOTAJob: (call) => {
      const j = findJob(call.params.JobId);
      if (!j) return reply(404, { Success: false, Code: 'iot.ota.JobNotFound', Message: 'no job' });
      return { Success: true, Data: { JobId: j.id, JobStatus: 'IN_PROGRESS', JobType: 'UPGRADE_FIRMWARE', JobDesc: j.desc, UtcCreate: new Date(j.createdAt).toISOString() } };
    },
    ListOTATaskByJob: (call) => {
      const j = findJob(call.params.JobId);
      if (!j) return reply(404, { Success: false, Code: 'iot.ota.JobNotFound', Message: 'no job' });
      const filtered = j.tasks.filter((t) => !call.params.TaskStatus || t.status === call.params.TaskStatus);
      const { slice, current, size } = page(filtered, call.params, 100);
      return { Success: true, Total: filtered.length, CurrentPage: current, PageSize: size, Data: { SimpleOTATaskInfo: slice.map((t) => taskInfo(j, t)) } };
    },
    CancelOTATaskByJob: (call) => {
      const j = findJob(call.params.JobId);
      if (!j) return reply(404, { Success: false, Code: 'iot.ota.JobNotFound', Message: 'no job' });
      const states = new Set<string>();
      if (call.params.CancelScheduledTask === 'true' || call.params.CancelQueuedTask === 'true') states.add('QUEUED');
      if (call.params.CancelUnconfirmedTask === 'true') states.add('CONFIRM');
      if (call.params.CancelNotifiedTask === 'true') states.add('NOTIFIED');
      if (call.params.CancelInProgressTask === 'true') states.add('IN_PROGRESS');
      for (const t of j.tasks) if (states.has(t.status)) Object.assign(t, { status: 'CANCELED', desc: 'cancelled by the user' });
      return { Success: true };
    },
    ReupgradeOTATask: (call) => {
      const j = findJob(call.params.JobId);
      if (!j) return reply(404, { Success: false, Code: 'iot.ota.JobNotFound', Message: 'no job' });
      const ids = list(call.params, 'TaskId');
      if (ids.length > 10) return reply(400, { Success: false, Code: 'InvalidParameter', Message: 'at most 10' });
      for (const id of ids) {
        const t = j.tasks.find((x) => x.id === id);
        if (!t || (t.status !== 'FAILED' && t.status !== 'CANCELED')) return reply(400, { Success: false, Code: 'InvalidParameter', Message: `bad task ${id}` });
        Object.assign(t, { status: 'QUEUED', desc: null, progress: 0 });
      }
      return { Success: true };
    },
  });

  const rpc = new AliyunRpcClient({
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    regionId: 'cn-shanghai',
    endpoint: fake.url,
    rateLimit: { windowMs: 1, marginMs: 0 },
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });

  return {
    fake,
    oss,
    rpc,
    devices,
    versions,
    jobs,
    overlaps,
    writes: () => fake.calls.filter((c) => WRITE_ACTIONS.has(c.action)),
    calls: (action) => fake.calls.filter((c) => c.action === action),
    settle(rule) {
      for (const job of jobs) {
        for (const t of job.tasks) {
          if (!UNFINISHED.has(t.status)) continue;
          const out = rule(t, job);
          if (out === null) continue;
          const next = typeof out === 'string' ? { status: out } : out;
          t.status = next.status;
          t.desc = next.desc ?? (next.status === 'FAILED' ? 'upgrade failed' : null);
          t.progress = next.status === 'SUCCEEDED' ? 100 : t.progress;
          if (versions.has(t.device) && next.status === 'SUCCEEDED') versions.set(t.device, '1.4.0');
        }
      }
    },
    close: async () => {
      await fake.close();
      await oss.close();
    },
  };
}
