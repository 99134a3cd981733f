// The dashboard's view of a rollout (or of one plain job), built from the rollout file and the tasks the cloud
// lists: per-wave counts and rates, failure reasons grouped with their devices, the chart's history and markers,
// and every task as columns, as the plain data of src/shared/rolloutDashboardMessages.ts. No vscode import: the
// benchmark and the unit tests build views in plain Node.
import { english, type Retell, type Translate } from './translate';
import { basename } from 'node:path';
import {
  DASHBOARD_STATES,
  FAILURE_DEVICES_SHOWN,
  PAGE_WORDS,
  STATUS_WORDS,
  viewStates,
  type ChartData,
  type ChartMarker,
  type Counts,
  type DashboardState,
  type DashboardView,
  type FailureGroup,
  type PageWords,
  type TaskColumns,
  type WaveView,
} from '../../shared/rolloutDashboardMessages';
import type { Job, Task } from '../../core/model';
import { describe } from '../../core/rollout/engine';
import { confirmedByDevices, gatesOf, type ResolvedGates, type RolloutPlan } from '../../core/rollout/plan';
import { bucketOf, countTasks, emptyCounts, type HistorySample, type RolloutState, type StateCounts } from '../../core/rollout/state';

const STATE_INDEX: Record<DashboardState, number> = Object.fromEntries(DASHBOARD_STATES.map((s, i) => [s, i])) as Record<DashboardState, number>;

function pct(part: number, whole: number): number {
  return whole > 0 ? (part * 100) / whole : 0;
}

export function gateText(g: ResolvedGates, t: Translate = english): string {
  const parts: string[] = [];
  if (g.maxFailurePercent < 100) parts.push(t('≤ {0} % failed', g.maxFailurePercent));
  if (g.minSuccessPercent > 0) parts.push(t('≥ {0} % succeeded', g.minSuccessPercent));
  parts.push(t('{0} % finished', g.minFinishedPercent));
  parts.push(t('judged after {0} finished', g.minFinished));
  if (g.soakMinutes > 0) parts.push(t('soak {0} min', g.soakMinutes));
  parts.push(g.auto ? t('continues on its own') : t('waits for approval'));
  if (g.onFailure === 'abort') parts.push(t('aborts on failure'));
  return parts.join(', ');
}

function waveView(plan: RolloutPlan | null, w: RolloutState['waves'][number], counts: StateCounts, tasks: number, t: Translate, retell: Retell): WaveView {
  const finished = counts.succeeded + (counts.deployed ?? 0) + counts.failed;
  return {
    index: w.index,
    label: retell(w.label),
    status: w.status,
    devices: w.devices.length,
    tasks,
    counts,
    successPercent: pct(counts.succeeded, tasks),
    deployedPercent: pct(counts.deployed ?? 0, tasks),
    failurePercent: pct(counts.failed, finished),
    finishedPercent: pct(finished, tasks),
    startedAt: w.startedAt,
    endedAt: w.endedAt,
    soakUntil: w.soakUntil,
    // A reason the engine said in this process is retold from how it was made; one read from the rollout file is
    // recognised by the templates the translation knows (see retell).
    decision: w.decision ? { ...w.decision, reason: retell(w.decision.reason) } : null,
    left: w.left.length,
    gate: plan ? gateText(gatesOf(plan, w.index), t) : '',
  };
}

/** Every task as columns, failures grouped by their TaskDesc. */
export function taskColumns(tasksByWave: ReadonlyMap<number, ReadonlyMap<string, Task>>, tr: Translate = english): { tasks: TaskColumns; failures: FailureGroup[] } {
  const cols: TaskColumns = { devices: [], wave: [], state: [], progress: [], reason: [], reasons: [] };
  const reasonIndex = new Map<string, number>();
  const groups = new Map<string, FailureGroup>();
  for (const [wave, tasks] of [...tasksByWave.entries()].sort((a, b) => a[0] - b[0])) {
    for (const t of tasks.values()) {
      const state = bucketOf(t.status);
      cols.devices.push(t.deviceName);
      cols.wave.push(wave);
      cols.state.push(STATE_INDEX[state]);
      cols.progress.push(Math.round(t.progress));
      const desc = t.description?.trim() || null;
      if (desc === null) cols.reason.push(-1);
      else {
        let i = reasonIndex.get(desc);
        if (i === undefined) {
          i = cols.reasons.length;
          cols.reasons.push(desc);
          reasonIndex.set(desc, i);
        }
        cols.reason.push(i);
      }
      if (state === 'failed') {
        const reason = desc ?? tr('no reason given');
        let g = groups.get(reason);
        if (!g) groups.set(reason, (g = { reason, count: 0, devices: [], waves: [] }));
        g.count++;
        if (g.devices.length < FAILURE_DEVICES_SHOWN) g.devices.push(t.deviceName);
        if (!g.waves.includes(wave + 1)) g.waves.push(wave + 1);
      }
    }
  }
  const failures = [...groups.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  for (const g of failures) g.devices.sort();
  return { tasks: cols, failures };
}

function chartOf(history: readonly HistorySample[]): ChartData {
  const counts = Object.fromEntries(DASHBOARD_STATES.map((s) => [s, [] as number[]])) as Record<DashboardState, number[]>;
  const t: number[] = [];
  for (const h of history) {
    t.push(Date.parse(h.at) / 1000);
    for (const s of DASHBOARD_STATES) counts[s].push(h[s] ?? 0);
  }
  return { t, counts };
}

/** The chart reaches to now: the current counts as the last sample (when they are newer than the history). */
function withNow(chart: ChartData, waves: readonly WaveView[], nowMs: number): ChartData {
  const t = nowMs / 1000;
  if (chart.t.length && chart.t[chart.t.length - 1] >= t) return chart;
  chart.t.push(t);
  for (const s of DASHBOARD_STATES) chart.counts[s].push(waves.reduce((sum, w) => sum + w.counts[s], 0));
  return chart;
}

const MARKER_KIND: Partial<Record<RolloutState['events'][number]['kind'], ChartMarker['kind']>> = {
  'wave-started': 'wave',
  'gate-passed': 'pass',
  'gate-failed': 'fail',
  paused: 'pause',
  resumed: 'resume',
  aborted: 'abort',
  done: 'done',
};

function markerLabel(e: RolloutState['events'][number], t: Translate): string {
  const n = e.wave === null ? '' : String(e.wave + 1);
  switch (e.kind) {
    case 'wave-started':
      return t('wave {0}', n).trim();
    case 'gate-passed':
      return t('gate {0} ✓', n).replace('  ', ' ');
    case 'gate-failed':
      return t('gate {0} ✗', n).replace('  ', ' ');
    case 'paused':
      return t('paused');
    case 'resumed':
      return t('resumed');
    case 'aborted':
      return t('aborted');
    case 'done':
      return t('done');
    default:
      return e.kind;
  }
}

/** The page's words and the statuses, in the display language. */
function pageWords(t: Translate): { words: PageWords; statusText: Record<string, string> } {
  const words = Object.fromEntries(Object.entries(PAGE_WORDS).map(([k, v]) => [k, t(v)])) as PageWords;
  const statusText = Object.fromEntries(Object.entries(STATUS_WORDS).map(([k, v]) => [k, t(v)]));
  return { words, statusText };
}

/** The states' words in the display language. */
export function stateTexts(t: Translate): Record<DashboardState, string> {
  return {
    succeeded: t('Succeeded'),
    deployed: t('Deployed (not confirmed)'),
    failed: t('Failed'),
    canceled: t('Cancelled'),
    inProgress: t('In progress'),
    queued: t('Queued'),
  };
}

export function rolloutView(
  plan: RolloutPlan,
  state: RolloutState,
  tasksByWave: ReadonlyMap<number, ReadonlyMap<string, Task>>,
  options: { error?: string | null; now?: () => number; t?: Translate; retell?: Retell; locale?: string } = {},
): DashboardView {
  const t = options.t ?? english;
  const retell = options.retell ?? ((text: string) => text);
  const { tasks, failures } = taskColumns(tasksByWave, t);
  const waves = state.waves.map((w) => {
    const live = tasksByWave.get(w.index);
    return live ? waveView(plan, w, countTasks(live.values()), live.size, t, retell) : waveView(plan, w, w.counts, w.tasks, t, retell);
  });
  const markers: ChartMarker[] = [];
  for (const e of state.events) {
    const kind = MARKER_KIND[e.kind];
    if (kind) markers.push({ t: Date.parse(e.at) / 1000, kind, label: markerLabel(e, t) });
  }
  const hasFailures = waves.some((w) => w.counts.failed > 0 || w.left > 0);
  const live = state.status === 'running' || state.status === 'paused';
  const confirmed = confirmedByDevices(plan);
  if (!confirmed) tasks.progress = tasks.progress.map(() => -1);
  return {
    kind: 'rollout',
    name: plan.name,
    title: t('Rollout {0}', plan.name),
    subtitle:
      plan.provider === 'iotaap'
        ? t('IoTaaP · image {0} · version {1} · {2} devices · seed {3}', basename(plan.image), plan.version, state.populationSize, state.seed)
        : t('firmware {0} · product {1} · {2} devices · seed {3}', plan.firmwareId, plan.productKey, state.populationSize, state.seed),
    status: state.status,
    summary: retell(describe(plan, state)),
    populationSize: state.populationSize,
    waves,
    failures,
    chart: withNow(chartOf(state.history), waves, (options.now ?? Date.now)()),
    markers,
    tasks,
    confirmedByDevices: confirmed,
    states: viewStates(confirmed),
    stateText: stateTexts(t),
    ...pageWords(t),
    locale: options.locale ?? null,
    notice: confirmed
      ? null
      : t('IoTaaP does not report whether a device installed an image: "deployed" means IoTaaP accepted the image for the device, not that the device runs it.'),
    actions: {
      advance: state.status === 'running',
      pause: state.status === 'running',
      resume: state.status === 'paused',
      abort: live,
      retry: live && hasFailures,
    },
    updatedAt: new Date((options.now ?? Date.now)()).toISOString(),
    error: options.error ?? null,
  };
}

/** The job's history rebuilt from its tasks: each finished task counts from its last change on. */
export function historyFromTasks(job: Job, tasks: readonly Task[]): HistorySample[] {
  const start = Date.parse(job.startedAt ?? job.createdAt ?? '') || Date.now();
  const finished = tasks
    .filter((t) => ['succeeded', 'failed', 'canceled'].includes(bucketOf(t.status)) && t.modifiedAt)
    .sort((a, b) => Date.parse(a.modifiedAt as string) - Date.parse(b.modifiedAt as string));
  const counts = emptyCounts();
  counts.queued = tasks.length;
  const out: HistorySample[] = [{ at: new Date(start).toISOString(), ...counts }];
  for (const t of finished) {
    counts.queued = Math.max(0, counts.queued - 1);
    counts[bucketOf(t.status)]++;
    out.push({ at: t.modifiedAt as string, ...counts });
  }
  return out;
}

/** A plain job as a one-wave dashboard; `history` is what this session has seen of it. */
export function jobView(job: Job, tasks: readonly Task[], history: readonly HistorySample[], options: { error?: string | null; now?: () => number; t?: Translate; retell?: Retell; locale?: string } = {}): DashboardView {
  const t = options.t ?? english;
  const retell = options.retell ?? ((text: string) => text);
  const byDevice = new Map(tasks.map((t) => [t.deviceName, t]));
  const { tasks: cols, failures } = taskColumns(new Map([[0, byDevice]]), t);
  const counts = countTasks(byDevice.values());
  const wave: RolloutState['waves'][number] = {
    index: 0,
    label: t('{0} job', job.targetSelection ?? '').trim(),
    devices: [...byDevice.keys()],
    status: (job.status === 'IN_PROGRESS' ? 'running' : job.status.toLowerCase()) as RolloutState['waves'][number]['status'],
    jobs: [],
    pendingJobs: [],
    jobSerial: 0,
    startedAt: job.startedAt,
    soakUntil: null,
    endedAt: job.endedAt,
    counts,
    tasks: byDevice.size,
    left: [],
    overridden: false,
    decision: null,
  };
  const markers: ChartMarker[] = [];
  if (job.startedAt) markers.push({ t: Date.parse(job.startedAt) / 1000, kind: 'wave', label: t('start') });
  if (job.endedAt) markers.push({ t: Date.parse(job.endedAt) / 1000, kind: 'done', label: t(STATUS_WORDS[job.status] ?? job.status.toLowerCase()) });
  const active = job.status === 'IN_PROGRESS' || job.status === 'PLANNED';
  return {
    kind: 'job',
    name: job.id,
    title: t('Job {0}', job.id),
    subtitle: t('firmware {0} · {1} · {2} devices', job.firmwareId, job.targetSelection ?? '?', byDevice.size),
    status: job.status,
    summary: t('{0} succeeded, {1} failed, {2} to go of {3}.', counts.succeeded, counts.failed, counts.queued + counts.inProgress, byDevice.size),
    populationSize: byDevice.size,
    waves: [waveView(null, wave, counts, byDevice.size, t, retell)],
    failures,
    chart: chartOf(history),
    markers,
    tasks: cols,
    confirmedByDevices: true,
    states: viewStates(true),
    stateText: stateTexts(t),
    ...pageWords(t),
    locale: options.locale ?? null,
    notice: null,
    actions: { advance: false, pause: false, resume: false, abort: active, retry: counts.failed > 0 },
    updatedAt: new Date((options.now ?? Date.now)()).toISOString(),
    error: options.error ?? null,
  };
}

export function emptyCountsView(): Counts {
  return { succeeded: 0, deployed: 0, failed: 0, canceled: 0, inProgress: 0, queued: 0 };
}
