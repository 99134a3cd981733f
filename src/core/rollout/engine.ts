// The rollout engine: create, advance, pause, resume, abort and retry. Every step reads the file and the cloud,
// decides, acts, and writes the file after each act, so it can stop anywhere (a crash, a closed editor, a CI job
// that ends) and the next step goes on from what the cloud shows: a job created just before a crash is found again
// by the tag in its description. A step that finds nothing new changes nothing, not even the file.
// On a cloud that only delivers (IoTaaP, see iotaapCloud.ts) the engine also sends each wave's devices itself
// (`dispatch`), one at a time, the file written after each outcome and the gate judged after each, so a wave stops
// deploying as soon as its gate fails.
import { randomBytes } from 'node:crypto';
import { OtaError } from '../errors';
import { say } from '../sentences';
import type { Task } from '../model';
import type { RolloutCloud } from './cloud';
import { judgeWave, type CountsMean, type GateVerdict } from './gates';
import { confirmedByDevices, gatesOf, parsePlan, waveLabel, type RolloutPlan } from './plan';
import {
  clearStopRequest,
  readRolloutFile,
  requestStop,
  serialize,
  stopRequested,
  withRolloutLock,
  workspaceOfRolloutFile,
  writeRolloutFile,
} from './planFile';
import { assignWaves, seedOf } from './sampling';
import {
  STATE_VERSION,
  bucketOf,
  countTasks,
  pendingWave,
  isFinal,
  latestTasks,
  recordHistory,
  type RolloutEvent,
  type RolloutState,
  type RolloutStatus,
  type WaveJob,
  type WaveState,
} from './state';

export interface RolloutContext {
  cloud: RolloutCloud;
  /** The rollout file. */
  path: string;
  /** Where relative paths of the plan (population.deviceListFile, image, deviceTokensFile) start, at create. */
  baseDir: string;
  now?: () => number;
  signal?: AbortSignal;
}

export interface ActionReport {
  name: string;
  status: RolloutStatus;
  pausedBy: RolloutState['pausedBy'];
  reason: string | null;
  /** What the action did in the cloud, one sentence each. */
  did: string[];
  /** One sentence: where the rollout stands. */
  summary: string;
  /** False when the cloud only says it accepted each deploy (IoTaaP): "deployed" is not "installed". */
  confirmedByDevices: boolean;
}

/** Exit codes of `ota rollout` commands by the rollout's status. */
export const EXIT_FOR_STATUS: Readonly<Record<RolloutStatus, number>> = { done: 0, running: 3, paused: 4, aborted: 5 };

const ACTIVE = new Set(['starting', 'running', 'soaking', 'stopped']);

class Session {
  readonly did: string[] = [];
  private written: string;
  /** Tasks seen by this session, per wave. */
  readonly tasks = new Map<number, Map<string, Task>>();

  constructor(
    readonly ctx: RolloutContext,
    readonly raw: Record<string, unknown>,
    readonly plan: RolloutPlan,
    readonly state: RolloutState,
    existing: string,
  ) {
    this.written = existing;
  }

  now(): string {
    return new Date((this.ctx.now ?? Date.now)()).toISOString();
  }

  nowMs(): number {
    return (this.ctx.now ?? Date.now)();
  }

  event(kind: RolloutEvent['kind'], wave: number | null, text: string): void {
    this.state.events.push({ at: this.now(), kind, wave, text });
  }

  /** Writes the file when the state changed since it was last read or written. */
  async save(): Promise<void> {
    const probe = serialize(this.raw, this.state);
    if (probe === this.written) return;
    this.state.updatedAt = this.now();
    const text = serialize(this.raw, this.state);
    await writeRolloutFile(this.ctx.path, this.raw, this.state);
    this.written = text;
  }

  get dirty(): boolean {
    return serialize(this.raw, this.state) !== this.written;
  }
}

function report(s: Session, summary?: string): ActionReport {
  const st = s.state;
  return {
    name: s.plan.name,
    status: st.status,
    pausedBy: st.pausedBy,
    reason: st.reason,
    did: s.did,
    summary: summary ?? describe(s.plan, st),
    confirmedByDevices: confirmedByDevices(s.plan),
  };
}

function meaning(plan: RolloutPlan): CountsMean {
  return confirmedByDevices(plan) ? 'installs' : 'deliveries';
}

/** The rollout's plan and the cloud given to follow it must be of the same provider. */
function checkCloud(plan: RolloutPlan, cloud: RolloutCloud, path: string): void {
  const delivers = cloud.reports === 'deliveries';
  if (delivers === confirmedByDevices(plan)) {
    throw new OtaError(
      'invalid-input',
      plan.provider === 'iotaap'
        ? say`The rollout ${plan.name} (${path}) is for IoTaaP ("provider": "iotaap"): follow it with an IoTaaP account (or the sandbox).`
        : say`The rollout ${plan.name} (${path}) is for Alibaba Cloud: follow it with an Alibaba Cloud account (or the sandbox).`,
    );
  }
}

/** Where the rollout stands, in one sentence. */
export function describe(plan: RolloutPlan, state: RolloutState): string {
  const total = state.waves.length;
  const current = currentWave(state) ?? state.waves[total - 1];
  const n = current ? current.index + 1 : 0;
  switch (state.status) {
    case 'done': {
      if (confirmedByDevices(plan)) return say`Rollout ${plan.name} is done: all ${total} waves passed.`;
      const deployed = state.waves.reduce((n, w) => n + (w.counts.deployed ?? 0), 0);
      return say`Rollout ${plan.name} is done: all ${total} waves passed; the image was deployed to ${deployed} devices (not confirmed by the devices).`;
    }
    case 'aborted':
      return state.reason ? say`Rollout ${plan.name} was aborted: ${state.reason}` : say`Rollout ${plan.name} was aborted.`;
    case 'paused':
      return state.reason
        ? say`Rollout ${plan.name} is paused at wave ${n} of ${total}: ${state.reason}`
        : say`Rollout ${plan.name} is paused at wave ${n} of ${total}.`;
    default: {
      if (!current) return say`Rollout ${plan.name} is running.`;
      const c = current.counts;
      const what = current.status === 'soaking' ? say`soaking until ${String(current.soakUntil)}` : waveStatusText(current.status);
      const done = confirmedByDevices(plan)
        ? say`${c.succeeded} succeeded, ${c.failed} failed`
        : say`${c.deployed ?? 0} deployed (not confirmed by the devices), ${c.failed} refused`;
      return say`Rollout ${plan.name}: wave ${n} of ${total} (${current.label}) ${what}; ${done}, ${c.queued + c.inProgress} to go of ${current.tasks || current.devices.length}.`;
    }
  }
}

/** A rollout's status as a word in a sentence ("the rollout is paused"): the status itself, said. */
function rolloutStatusText(status: RolloutStatus): string {
  switch (status) {
    case 'running':
      return say`running`;
    case 'paused':
      return say`paused`;
    case 'aborted':
      return say`aborted`;
    case 'done':
      return say`done`;
  }
}

/** A wave's status as a word in a sentence ("wave 2 of 3 (to 10 %) running"): the status itself, said. */
function waveStatusText(status: WaveState['status']): string {
  switch (status) {
    case 'pending':
      return say`not started`;
    case 'starting':
      return say`starting`;
    case 'running':
      return say`running`;
    case 'soaking':
      return say`soaking`;
    case 'passed':
      return say`passed`;
    case 'stopped':
      return say`stopped`;
    case 'aborted':
      return say`aborted`;
    case 'skipped':
      return say`skipped`;
  }
}

/** The wave the rollout is at: the first that has not passed (nor was skipped). */
export function currentWave(state: RolloutState): WaveState | undefined {
  return state.waves.find((w) => w.status !== 'passed' && w.status !== 'skipped');
}

async function open(ctx: RolloutContext): Promise<Session> {
  const file = await readRolloutFile(ctx.path);
  if (!file.state) throw new OtaError('invalid-input', say`The rollout file ${ctx.path} has no progress yet: create the rollout with ota rollout create.`);
  if (file.state.version !== STATE_VERSION) {
    throw new OtaError('invalid-input', say`The rollout file ${ctx.path} was written by another version of this tool (state version ${file.state.version}).`);
  }
  checkCloud(file.plan, ctx.cloud, ctx.path);
  return new Session(ctx, file.raw, file.plan, file.state, serialize(file.raw, file.state));
}

function locked(ctx: RolloutContext, fn: (s: Session) => Promise<ActionReport>, options: { waitMs?: number } = {}): Promise<ActionReport> {
  return withRolloutLock(
    ctx.path,
    async () => {
      const s = await open(ctx);
      try {
        return await fn(s);
      } finally {
        await s.save();
      }
    },
    options,
  );
}

/** Longest a pause or abort waits for a step deploying device by device to finish its current deploy. */
const STOP_WAIT_MS = 180_000;

/**
 * A pause or abort: asks a step that is deploying device by device (another process, or this one) to stop after its
 * current deploy, then waits for the lock and acts.
 */
async function stopping(ctx: RolloutContext, action: 'pause' | 'abort', fn: (s: Session) => Promise<ActionReport>): Promise<ActionReport> {
  if (ctx.cloud.dispatch) await requestStop(ctx.path, action);
  try {
    return await locked(ctx, fn, { waitMs: ctx.cloud.dispatch ? STOP_WAIT_MS : undefined });
  } finally {
    if (ctx.cloud.dispatch) await clearStopRequest(ctx.path);
  }
}

/** Starts a rollout from a plan: lists the population, samples the waves (recorded), and starts the first wave. */
export async function createRollout(ctx: RolloutContext, planJson: unknown, options: { start?: boolean } = {}): Promise<ActionReport> {
  const plan = parsePlan(planJson);
  const { state: _ignored, ...raw } = planJson as Record<string, unknown>;
  void _ignored;
  return withRolloutLock(ctx.path, async () => {
    let existing: Awaited<ReturnType<typeof readRolloutFile>> | null = null;
    try {
      existing = await readRolloutFile(ctx.path);
    } catch (e) {
      if (!(e instanceof OtaError && e.kind === 'not-found')) throw e;
    }
    if (existing?.state) {
      throw new OtaError('invalid-input', say`The rollout ${plan.name} exists already (${ctx.path}): follow it with ota rollout advance ${plan.name}, or give the new plan another name.`);
    }
    checkCloud(plan, ctx.cloud, ctx.path);
    const delivery = await ctx.cloud.prepare?.(plan, { baseDir: ctx.baseDir, workspace: workspaceOfRolloutFile(ctx.path), signal: ctx.signal });
    const population = await ctx.cloud.listPopulation(plan, { baseDir: ctx.baseDir, signal: ctx.signal });
    if (population.length === 0) {
      throw new OtaError('invalid-input', say`The population of ${plan.name} holds no device: check the product key, group, device list or source versions.`);
    }
    const assigned = assignWaves(plan, population);
    const at = new Date((ctx.now ?? Date.now)()).toISOString();
    const state: RolloutState = {
      version: STATE_VERSION,
      runId: randomBytes(4).toString('hex'),
      status: 'running',
      pausedBy: null,
      reason: null,
      createdAt: at,
      updatedAt: at,
      populationSize: new Set(population).size,
      seed: seedOf(plan),
      waves: assigned.map((devices, index) => pendingWave(index, waveLabel(plan, index), devices)),
      events: [],
      history: [],
    };
    if (delivery) state.delivery = delivery;
    const s = new Session(ctx, raw, plan, state, '');
    const sizes = assigned.map((d) => d.length).join(', ');
    s.event('created', null, say`Created over ${state.populationSize} devices with seed ${state.seed}; waves of ${sizes} devices.`);
    await s.save();
    try {
      if (options.start !== false) await step(s);
    } finally {
      await s.save();
    }
    return report(s);
  });
}

/** Looks at the cloud, applies the gates, and starts the next wave, pauses or aborts as they say. */
export function advanceRollout(ctx: RolloutContext): Promise<ActionReport> {
  return locked(ctx, async (s) => {
    await step(s);
    return report(s);
  });
}

/** Reads the rollout and the tasks of its active wave, changing nothing in the cloud. */
export async function rolloutStatus(ctx: RolloutContext): Promise<{ plan: RolloutPlan; state: RolloutState; report: ActionReport }> {
  const s = await open(ctx);
  return { plan: s.plan, state: s.state, report: report(s) };
}

export function pauseRollout(ctx: RolloutContext): Promise<ActionReport> {
  return stopping(ctx, 'pause', async (s) => {
    const st = s.state;
    if (st.status !== 'running') return report(s, say`Nothing to pause: the rollout is ${rolloutStatusText(st.status)}.`);
    const w = currentWave(st);
    if (w && (w.status === 'running' || w.status === 'soaking' || w.status === 'starting')) {
      if (w.status === 'starting') await createPendingJobs(s, w);
      await cancelQueuedOf(s, w);
    }
    if (s.did.length === 0) s.did.push(say`Nothing to cancel in the cloud: no wave had tasks waiting.`);
    st.status = 'paused';
    st.pausedBy = 'user';
    st.reason = w ? say`paused by a person during wave ${w.index + 1}; ${w.left.length} of its devices are left for resume.` : say`paused by a person.`;
    s.event('paused', w?.index ?? null, say`Paused; ${w?.left.length ?? 0} devices left for resume.`);
    return report(s);
  });
}

export function resumeRollout(ctx: RolloutContext): Promise<ActionReport> {
  return locked(ctx, async (s) => {
    const st = s.state;
    if (st.status !== 'paused') return report(s, say`Nothing to resume: the rollout is ${rolloutStatusText(st.status)}.`);
    // A pause that died before it let go of its request must not stop the deploys that follow.
    await clearStopRequest(s.ctx.path);
    const w = currentWave(st);
    const by = st.pausedBy;
    st.status = 'running';
    st.pausedBy = null;
    st.reason = null;
    if (w && by === 'gate' && w.status === 'stopped') {
      w.overridden = true;
      w.status = 'running';
      s.event('resumed', w.index, say`Resumed past the failed gate of wave ${w.index + 1}: its failures no longer stop it.`);
    } else {
      s.event('resumed', w?.index ?? null, by === 'approval' ? say`Approved: wave ${(w?.index ?? 0) + 1} may start.` : say`Resumed.`);
    }
    if (w && w.left.length) await restartLeft(s, w);
    await step(s);
    if (s.did.length === 0) s.did.push(say`Nothing was left to start again in the cloud.`);
    return report(s);
  });
}

export function abortRollout(ctx: RolloutContext): Promise<ActionReport> {
  return stopping(ctx, 'abort', async (s) => {
    const st = s.state;
    if (st.status === 'aborted' || st.status === 'done') return report(s, say`Nothing to abort: the rollout is ${rolloutStatusText(st.status)}.`);
    await abortAll(s, say`aborted by a person.`);
    return report(s);
  });
}

/** Upgrades the failed devices of a wave again (the current one, or the one given, 1-based). */
export function retryRollout(ctx: RolloutContext, waveNumber?: number): Promise<ActionReport> {
  return locked(ctx, async (s) => {
    const st = s.state;
    if (st.status === 'aborted') return report(s, say`Nothing to retry: the rollout was aborted.`);
    const w =
      waveNumber !== undefined ? st.waves[waveNumber - 1] : (currentWave(st) ?? [...st.waves].reverse().find((x) => x.jobs.length > 0));
    if (!w) throw new OtaError('invalid-input', say`There is no wave ${String(waveNumber)}: the rollout has ${st.waves.length}.`);
    if (w.jobs.length === 0) return report(s, say`Nothing to retry: wave ${w.index + 1} has not started.`);
    const tasks = await refreshWave(s, w);
    const failedByJob = new Map<string, string[]>();
    for (const t of tasks.values()) {
      if (t.status !== 'FAILED') continue;
      failedByJob.set(t.jobId, [...(failedByJob.get(t.jobId) ?? []), t.id]);
    }
    for (const [jobId, ids] of failedByJob) {
      const job = w.jobs.find((j) => j.jobId === jobId);
      if (job) s.did.push(await s.ctx.cloud.retryTasks(job, ids, s.ctx.signal));
    }
    if (w.status === 'stopped') {
      w.status = 'running';
      w.decision = null;
      if (st.status === 'paused' && st.pausedBy === 'gate') {
        st.status = 'running';
        st.pausedBy = null;
        st.reason = null;
      }
    }
    if (w.left.length) await restartLeft(s, w);
    // A cloud that only delivers sends what the retry queued (and the restart listed) now.
    await dispatchWave(s, w);
    const n = [...failedByJob.values()].reduce((a, b) => a + b.length, 0);
    s.event('retried', w.index, say`Retried ${n} failed devices of wave ${w.index + 1}.`);
    if (s.did.length === 0) s.did.push(say`Nothing to retry in the cloud: wave ${w.index + 1} has no failed device.`);
    await refreshWave(s, w);
    recordHistory(st, s.now());
    return report(s);
  });
}

/** Every task of every started wave, latest per device, for the dashboard. */
export async function collectTasks(cloud: RolloutCloud, state: RolloutState, signal?: AbortSignal): Promise<Map<number, Map<string, Task>>> {
  const out = new Map<number, Map<string, Task>>();
  for (const w of state.waves) {
    if (w.jobs.length === 0) continue;
    const lists: Task[][] = [];
    for (const job of w.jobs) lists.push(await cloud.listTasks(job, signal));
    out.set(w.index, latestTasks(lists));
  }
  return out;
}

async function step(s: Session): Promise<void> {
  const st = s.state;
  if (st.status !== 'running') {
    const w = currentWave(st);
    if (w && w.jobs.length) await refreshWave(s, w);
    recordHistory(st, s.now());
    return;
  }
  for (let guard = 0; guard <= st.waves.length * 4; guard++) {
    const w = currentWave(st);
    if (!w) {
      st.status = 'done';
      s.event('done', null, say`All ${st.waves.length} waves passed.`);
      break;
    }
    if (w.status === 'pending') {
      if (w.devices.length === 0) {
        w.status = 'skipped';
        w.endedAt = s.now();
        continue;
      }
      await startWave(s, w, w.devices);
      continue;
    }
    if (w.status === 'starting') {
      await createPendingJobs(s, w);
      continue;
    }
    if (w.status === 'stopped' || w.status === 'aborted') break;
    // A pause or abort waiting for the lock stopped the sending: leave the wave as it is for it.
    if (w.status === 'running' && (await dispatchWave(s, w))) break;
    const tasks = await refreshWave(s, w);
    const settled = [...tasks.values()].every((t) => isFinal(t.status));
    const gates = gatesOf(s.plan, w.index);
    const verdict = judgeWave(w.counts, w.tasks, gates, w.overridden, settled, meaning(s.plan));
    if (verdict.kind === 'fail') {
      await stopWave(s, w, verdict);
      break;
    }
    if (w.status === 'running') {
      if (verdict.kind === 'wait') break;
      w.status = 'soaking';
      w.decision = { result: 'pass', at: s.now(), reason: verdict.reason };
      w.soakUntil = new Date(s.nowMs() + gates.soakMinutes * 60_000).toISOString();
      s.event('gate-passed', w.index, say`Gate of wave ${w.index + 1} passed: ${verdict.reason}`);
    }
    if (w.soakUntil && s.nowMs() < Date.parse(w.soakUntil)) break;
    w.status = 'passed';
    w.endedAt = s.now();
    if (gates.soakMinutes > 0) s.event('soaked', w.index, say`Wave ${w.index + 1} soaked ${gates.soakMinutes} min without going bad.`);
    const next = st.waves.slice(w.index + 1).find((x) => x.devices.length > 0);
    if (next && !gates.auto) {
      st.status = 'paused';
      st.pausedBy = 'approval';
      st.reason = say`wave ${w.index + 1} passed its gate; resume to start wave ${next.index + 1}.`;
      s.event('paused', w.index, say`Waiting for a person to approve wave ${next.index + 1}.`);
      break;
    }
  }
  recordHistory(st, s.now());
}

async function startWave(s: Session, w: WaveState, devices: string[]): Promise<void> {
  const size = s.ctx.cloud.maxDevicesPerJob;
  const parts: string[][] = [];
  for (let i = 0; i < devices.length; i += size) parts.push(devices.slice(i, i + size));
  for (const part of parts) {
    w.jobSerial++;
    w.pendingJobs.push({ tag: `[ota-rollout ${s.plan.name} ${s.state.runId} w${w.index + 1} j${w.jobSerial}]`, devices: part });
  }
  if (w.status === 'pending') {
    w.startedAt = s.now();
    s.event('wave-started', w.index, say`Wave ${w.index + 1} (${w.label}) started on ${devices.length} devices.`);
  }
  w.status = 'starting';
  await s.save();
  await createPendingJobs(s, w);
}

async function createPendingJobs(s: Session, w: WaveState): Promise<void> {
  const { cloud, signal } = s.ctx;
  while (w.pendingJobs.length) {
    const p = w.pendingJobs[0];
    const since = w.startedAt ?? s.now();
    let deliveries: WaveJob['deliveries'];
    let jobId = await cloud.findJob(s.plan, p.tag, since, signal);
    if (jobId) s.did.push(say`Found job ${jobId} of wave ${w.index + 1}, created before an interruption.`);
    else {
      const created = await cloud.createJob(
        { plan: s.plan, devices: p.devices, tag: p.tag, description: `${p.tag} Rollout ${s.plan.name}, wave ${w.index + 1} (${w.label}).` },
        signal,
      );
      jobId = created.jobId;
      s.did.push(created.did);
      deliveries = created.deliveries;
    }
    w.jobs.push({ jobId, tag: p.tag, devices: p.devices.length, createdAt: s.now(), ...(deliveries ? { deliveries } : {}) });
    w.pendingJobs.shift();
    await s.save();
  }
  w.status = 'running';
}

/** Lists the wave's tasks (latest per device) and records its counts. */
async function refreshWave(s: Session, w: WaveState): Promise<Map<string, Task>> {
  const lists: Task[][] = [];
  for (const job of w.jobs) lists.push(await s.ctx.cloud.listTasks(job, s.ctx.signal));
  const tasks = latestTasks(lists);
  w.counts = countTasks(tasks.values());
  w.tasks = tasks.size;
  s.tasks.set(w.index, tasks);
  return tasks;
}

/** Cancels the wave's queued tasks and remembers whose tasks that cancelled. */
async function cancelQueuedOf(s: Session, w: WaveState): Promise<void> {
  const before = await refreshWave(s, w);
  const queued = [...before.values()].filter((t) => bucketOf(t.status) === 'queued' && t.status !== 'NOTIFIED');
  const waiting = new Set(queued.map((t) => t.deviceName));
  if (waiting.size === 0) return;
  const jobs = new Set(queued.map((t) => t.jobId));
  for (const job of w.jobs) if (jobs.has(job.jobId)) s.did.push(await s.ctx.cloud.cancelQueued(job, s.ctx.signal));
  const after = await refreshWave(s, w);
  const left = new Set(w.left);
  for (const name of waiting) if (after.get(name)?.status === 'CANCELED') left.add(name);
  w.left = [...left].sort();
}

/**
 * A cloud that only delivers: sends the QUEUED devices of the wave's jobs, the file written after each outcome and
 * the gate judged after each (a failed gate stops the sending; the step then stops the wave). Nothing for others.
 * True when a pause or abort asked for the lock stopped it.
 */
async function dispatchWave(s: Session, w: WaveState): Promise<boolean> {
  const cloud = s.ctx.cloud;
  if (!cloud.dispatch) return false;
  const gates = gatesOf(s.plan, w.index);
  let asked: 'pause' | 'abort' | null = null;
  for (const job of w.jobs) {
    if (asked) break;
    if (!job.deliveries?.some((d) => d.status === 'QUEUED')) continue;
    const did = await cloud.dispatch(job, {
      plan: s.plan,
      delivery: s.state.delivery,
      workspace: workspaceOfRolloutFile(s.ctx.path),
      wave: w.index + 1,
      signal: s.ctx.signal,
      now: () => s.now(),
      recorded: async () => {
        await refreshWave(s, w);
        await s.save();
        if (judgeWave(w.counts, w.tasks, gates, w.overridden, false, meaning(s.plan)).kind === 'fail') return say`the wave's gate failed`;
        asked = await stopRequested(s.ctx.path);
        return asked === 'abort' ? say`an abort was asked for` : asked ? say`a pause was asked for` : null;
      },
    });
    s.did.push(...did);
  }
  return asked !== null;
}

async function stopWave(s: Session, w: WaveState, verdict: GateVerdict): Promise<void> {
  const gates = gatesOf(s.plan, w.index);
  w.status = 'stopped';
  w.decision = { result: 'fail', at: s.now(), reason: verdict.reason };
  s.event('gate-failed', w.index, say`Gate of wave ${w.index + 1} failed: ${verdict.reason}`);
  if (gates.onFailure === 'abort') {
    await abortAll(s, say`the gate of wave ${w.index + 1} failed: ${verdict.reason}`);
    return;
  }
  await cancelQueuedOf(s, w);
  s.state.status = 'paused';
  s.state.pausedBy = 'gate';
  s.state.reason = say`the gate of wave ${w.index + 1} failed: ${verdict.reason} Retry its failures, resume past the gate, or abort.`;
}

async function restartLeft(s: Session, w: WaveState): Promise<void> {
  const left = w.left;
  w.left = [];
  await startWave(s, w, left);
}

async function abortAll(s: Session, reason: string): Promise<void> {
  for (const w of s.state.waves) {
    if (w.status === 'starting') await createPendingJobs(s, w);
    if (ACTIVE.has(w.status) || (w.jobs.length && w.counts.queued + w.counts.inProgress > 0)) {
      for (const job of w.jobs) s.did.push(await s.ctx.cloud.cancelUnfinished(job, s.ctx.signal));
      await refreshWave(s, w);
      if (w.status !== 'passed') {
        w.status = 'aborted';
        w.endedAt = s.now();
      }
    } else if (w.status === 'pending') w.status = 'aborted';
  }
  if (s.did.length === 0) s.did.push(say`Nothing to cancel in the cloud: no task was unfinished.`);
  s.state.status = 'aborted';
  s.state.pausedBy = null;
  s.state.reason = reason;
  s.event('aborted', null, say`Aborted: ${reason}`);
  recordHistory(s.state, s.now());
}
