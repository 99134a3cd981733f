// The demo's staged rollout that a gate stopped: Smart Plug Fleet 2.1.9-beta (whose watchdog rework resets 40 % of
// hardware rev-C after flashing), canary passed, wave 2 stopped by its failure gate with its queued devices
// cancelled. Its jobs live in the sandbox like any other (each tagged in its description, as the engine tags them);
// its rollout file, written the way the engine writes it, lives in the data folder's `.ota/rollouts/`, where
// `ota rollout status fleet-2.1.9-beta --workspace <data folder>` and the editor's dashboard find it.
import { judgeWave } from '../../../rollout/gates';
import { gatesOf, parsePlan } from '../../../rollout/plan';
import { rolloutPath, writeRolloutFile } from '../../../rollout/planFile';
import { assignWaves, seedOf } from '../../../rollout/sampling';
import { STATE_VERSION, countTasks, emptyCounts, type HistorySample, type RolloutState, type WaveState } from '../../../rollout/state';
import type { Task } from '../../../model';
import { SANDBOX_DEMO } from '../constants';
import { ruledFailure, type FirmwareOutcome } from '../simulation/fleetRules';
import type { DeviceRecord, FirmwareRecord, TaskRecord, TaskStatusValue } from '../state/records';
import { HOUR, MINUTE, addJob, type Seeder } from './builders';

export const DEMO_ROLLOUT_NAME = 'fleet-2.1.9-beta';
export const DEMO_ROLLOUT_OUTCOME: FirmwareOutcome = { failures: [{ hardware: 'rev-C', percent: 40, reason: 'watchdog reset after flash' }] };
const RUN_ID = '5eed0001';

function asTask(t: TaskRecord): Task {
  return {
    id: t.taskId,
    jobId: t.jobId,
    deviceName: t.deviceName,
    productKey: t.productKey,
    status: t.taskStatus,
    progress: t.progress,
    description: t.taskDesc,
    srcVersion: t.srcVersion,
    destVersion: t.destVersion,
    modifiedAt: new Date(t.modifiedAt).toISOString(),
  };
}

/** Seeds the jobs of the stopped rollout and writes its file into `<dataDir>/.ota/rollouts/`. */
export async function seedDemoRollout(s: Seeder, firmware: FirmwareRecord, devices: DeviceRecord[], dataDir: string): Promise<void> {
  const { fleet } = SANDBOX_DEMO;
  const raw = {
    name: DEMO_ROLLOUT_NAME,
    account: 'sandbox',
    description: 'Demo: a staged rollout that its failure gate stopped in wave 2.',
    firmwareId: firmware.firmwareId,
    productKey: fleet.productKey,
    population: {},
    waves: [{ count: 5 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
    gates: { maxFailurePercent: 5, minFinishedPercent: 90, soakMinutes: 15 },
    job: { timeoutInMinutes: 30 },
  };
  const plan = parsePlan(raw);
  const byName = new Map(devices.map((d) => [d.deviceName, d]));
  const assigned = assignWaves(plan, devices.map((d) => d.deviceName));
  const t0 = s.now - 3 * HOUR;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const tag = (wave: number): string => `[ota-rollout ${plan.name} ${RUN_ID} w${wave} j1]`;

  // The canary: five devices, all on 2.1.9-beta twenty minutes later.
  const canary = addJob(s, {
    firmware,
    status: 'COMPLETED',
    ageMs: s.now - t0,
    targetSelection: 'SPECIFIC',
    extra: { jobDesc: `${tag(1)} Rollout ${plan.name}, wave 1 (canary (5 sampled)).`, timeoutInMinutes: 30, endedAt: t0 + 20 * MINUTE },
    tasks: assigned[0].map((n) => [byName.get(n) as DeviceRecord, 'SUCCEEDED']),
  });
  // Wave 2, started after a 15-minute soak: the first 60 devices finish (rev-C ones failing by the rule), then the
  // gate stops it and the rest, still queued, are cancelled.
  const t1 = t0 + 35 * MINUTE;
  const wave2 = assigned[1];
  const finished = wave2.slice(0, 60);
  const statuses: [DeviceRecord, TaskStatusValue][] = wave2.map((n, i) => {
    const d = byName.get(n) as DeviceRecord;
    if (i >= finished.length) return [d, 'CANCELED'];
    return [d, ruledFailure(DEMO_ROLLOUT_OUTCOME, firmware.firmwareId, n, d.profile) ? 'FAILED' : 'SUCCEEDED'];
  });
  const job2 = addJob(s, {
    firmware,
    status: 'COMPLETED',
    ageMs: s.now - t1,
    targetSelection: 'SPECIFIC',
    extra: { jobDesc: `${tag(2)} Rollout ${plan.name}, wave 2 (to 10 %).`, timeoutInMinutes: 30, endedAt: t1 + 40 * MINUTE },
    tasks: statuses,
  });
  const tasks2 = s.store.tasksOf(job2.jobId);
  const tStop = t1 + 30 * MINUTE;
  // Finished tasks ended between the wave's start and the gate; the rollout cancelled the others at the gate.
  tasks2.forEach((t, i) => {
    if (t.taskStatus === 'CANCELED') {
      t.taskDesc = 'Cancelled by the rollout: the gate of wave 2 failed';
      t.modifiedAt = tStop;
    } else {
      t.modifiedAt = t1 + Math.round(((i + 1) / (finished.length + 1)) * 28 * MINUTE);
      if (t.taskStatus === 'FAILED') t.taskDesc = 'watchdog reset after flash';
    }
  });
  for (const t of s.store.tasksOf(canary.jobId)) t.modifiedAt = t0 + (3 + s.random.int(0, 15)) * MINUTE;
  for (const [d, st] of statuses) if (st === 'SUCCEEDED') d.versions[fleet.module] = firmware.destVersion;
  for (const n of assigned[0]) (byName.get(n) as DeviceRecord).versions[fleet.module] = firmware.destVersion;

  const counts1 = countTasks(s.store.tasksOf(canary.jobId).map(asTask));
  const counts2 = countTasks(tasks2.map(asTask));
  const beforeCancel = { ...counts2, queued: counts2.canceled, canceled: 0 };
  const verdict = judgeWave(beforeCancel, wave2.length, gatesOf(plan, 1), false, false);
  const left = tasks2.filter((t) => t.taskStatus === 'CANCELED').map((t) => t.deviceName).sort();
  const wave = (index: number, extra: Partial<WaveState>): WaveState => ({
    index,
    label: ['canary (5 sampled)', 'to 10 %', 'to 50 %', 'to 100 %'][index],
    devices: assigned[index],
    status: 'pending',
    jobs: [],
    pendingJobs: [],
    jobSerial: 0,
    startedAt: null,
    soakUntil: null,
    endedAt: null,
    counts: emptyCounts(),
    tasks: 0,
    left: [],
    overridden: false,
    decision: null,
    ...extra,
  });
  // The chart's history: a sample whenever a task of the rollout ended, and when wave 2 started and stopped.
  const running = { ...emptyCounts(), queued: 5 };
  const history: HistorySample[] = [{ at: iso(t0), ...running }];
  const ended = (list: TaskRecord[]) => list.filter((t) => t.taskStatus !== 'CANCELED').sort((x, y) => x.modifiedAt - y.modifiedAt);
  const finish = (t: TaskRecord): void => {
    running.queued--;
    if (t.taskStatus === 'SUCCEEDED') running.succeeded++;
    else running.failed++;
    history.push({ at: iso(t.modifiedAt), ...running });
  };
  ended(s.store.tasksOf(canary.jobId)).forEach(finish);
  running.queued += wave2.length;
  history.push({ at: iso(t1), ...running });
  ended(tasks2).forEach(finish);
  running.canceled += running.queued;
  running.queued = 0;
  history.push({ at: iso(tStop), ...running });
  const state: RolloutState = {
    version: STATE_VERSION,
    runId: RUN_ID,
    status: 'paused',
    pausedBy: 'gate',
    reason: `the gate of wave 2 failed: ${verdict.reason} Retry its failures, resume past the gate, or abort.`,
    createdAt: iso(t0),
    updatedAt: iso(tStop),
    populationSize: devices.length,
    seed: seedOf(plan),
    waves: [
      wave(0, {
        status: 'passed',
        jobs: [{ jobId: canary.jobId, tag: tag(1), devices: 5, createdAt: iso(t0) }],
        jobSerial: 1,
        startedAt: iso(t0),
        soakUntil: iso(t0 + 35 * MINUTE),
        endedAt: iso(t1),
        counts: counts1,
        tasks: 5,
        decision: { result: 'pass', at: iso(t0 + 20 * MINUTE), reason: '5 of 5 devices finished (100 %), 0 failed (0 % of the finished).' },
      }),
      wave(1, {
        status: 'stopped',
        jobs: [{ jobId: job2.jobId, tag: tag(2), devices: wave2.length, createdAt: iso(t1) }],
        jobSerial: 1,
        startedAt: iso(t1),
        counts: counts2,
        tasks: wave2.length,
        left,
        decision: { result: 'fail', at: iso(tStop), reason: verdict.reason },
      }),
      wave(2, {}),
      wave(3, {}),
    ],
    events: [
      { at: iso(t0), kind: 'created', wave: null, text: `Created over ${devices.length} devices with seed ${seedOf(plan)}; waves of ${assigned.map((w) => w.length).join(', ')} devices.` },
      { at: iso(t0), kind: 'wave-started', wave: 0, text: 'Wave 1 (canary (5 sampled)) started on 5 devices.' },
      { at: iso(t0 + 20 * MINUTE), kind: 'gate-passed', wave: 0, text: 'Gate of wave 1 passed: 5 of 5 devices finished (100 %), 0 failed (0 % of the finished).' },
      { at: iso(t0 + 35 * MINUTE), kind: 'soaked', wave: 0, text: 'Wave 1 soaked 15 min without going bad.' },
      { at: iso(t1), kind: 'wave-started', wave: 1, text: `Wave 2 (to 10 %) started on ${wave2.length} devices.` },
      { at: iso(tStop), kind: 'gate-failed', wave: 1, text: `Gate of wave 2 failed: ${verdict.reason}` },
    ],
    history,
  };
  await writeRolloutFile(rolloutPath(dataDir, plan.name), raw, state);
}
