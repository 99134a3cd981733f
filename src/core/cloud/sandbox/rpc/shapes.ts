// Sandbox records -> Alibaba's JSON shapes (PascalCase keys, UTC ISO times). Absent values are left out, as the
// real service leaves them out.
import type { SandboxContext } from '../context';
import { downloadUrl } from '../oss/policy';
import type { FirmwareRecord, JobRecord, TaskRecord } from '../state/records';

type Shape = Record<string, unknown>;

function iso(ms: number | null): string | undefined {
  return ms === null ? undefined : new Date(ms).toISOString();
}

/** Drops undefined and null values. */
function compact(shape: Shape): Shape {
  const out: Shape = {};
  for (const [k, v] of Object.entries(shape)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}

export function simpleFirmwareInfo(ctx: SandboxContext, f: FirmwareRecord): Shape {
  return compact({
    FirmwareId: f.firmwareId,
    FirmwareName: f.firmwareName,
    DestVersion: f.destVersion,
    SrcVersion: f.srcVersion,
    ProductKey: f.productKey,
    ProductName: f.productKey === null ? null : ctx.store.products.get(f.productKey)?.productName,
    ModuleName: f.moduleName,
    Type: f.type,
    Status: f.status,
    FirmwareSign: f.sign,
    SignMethod: f.signMethod,
    FirmwareSize: f.size,
    FirmwareDesc: f.description,
    UtcCreate: iso(f.createdAt),
    UtcModified: iso(f.modifiedAt),
  });
}

export function firmwareInfo(ctx: SandboxContext, f: FirmwareRecord): Shape {
  return compact({
    ...simpleFirmwareInfo(ctx, f),
    FirmwareUrl: downloadUrl(ctx, f.bucket, f.objectKey),
    VerifyProgress: f.verifyProgress,
    Udi: f.udi,
  });
}

export function simpleJobInfo(j: JobRecord): Shape {
  return compact({
    JobId: j.jobId,
    FirmwareId: j.firmwareId,
    ProductKey: j.productKey,
    JobStatus: j.jobStatus,
    JobType: j.jobType,
    SelectionType: j.selectionType,
    TargetSelection: j.targetSelection,
    UtcCreate: iso(j.createdAt),
    UtcModified: iso(j.modifiedAt),
    UtcStartTime: iso(j.startedAt),
    UtcEndTime: iso(j.endedAt),
  });
}

export function jobInfo(ctx: SandboxContext, j: JobRecord): Shape {
  const group = j.groupId === null ? undefined : ctx.store.groups.get(j.groupId);
  return compact({
    ...simpleJobInfo(j),
    DestVersion: j.destVersion,
    SrcVersions: { SrcVersion: j.srcVersions },
    TargetDeviceNames: j.targetSelection === 'SPECIFIC' ? { TargetDeviceName: j.targetDeviceNames } : undefined,
    GrayPercent: j.grayPercent,
    GroupId: j.groupId,
    GroupName: group?.groupName,
    RetryInterval: j.retryInterval,
    RetryCount: j.retryCount,
    TimeoutInMinutes: j.timeoutInMinutes,
    MaximumPerMinute: j.maximumPerMinute,
    OverwriteMode: j.overwriteMode,
    NeedPush: j.needPush,
    NeedConfirm: j.needConfirm,
    DynamicMode: j.dynamicMode,
    DownloadProtocol: j.downloadProtocol,
    JobDesc: j.jobDesc,
    UtcScheduleTime: iso(j.scheduleTime),
    UtcScheduleFinishTime: iso(j.scheduleFinishTime),
  });
}

export function simpleTaskInfo(t: TaskRecord): Shape {
  return compact({
    TaskId: t.taskId,
    JobId: t.jobId,
    FirmwareId: t.firmwareId,
    IotId: t.iotId,
    ProductKey: t.productKey,
    DeviceName: t.deviceName,
    SrcVersion: t.srcVersion,
    DestVersion: t.destVersion,
    TaskStatus: t.taskStatus,
    Progress: t.progress.toFixed(2),
    TaskDesc: t.taskDesc,
    UtcCreate: iso(t.createdAt),
    UtcModified: iso(t.modifiedAt),
  });
}
