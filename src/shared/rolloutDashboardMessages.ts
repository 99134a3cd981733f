// Messages between the rollout dashboard (webview) and the extension host. Both sides import this module, so a
// message one side sends and the other does not understand fails to compile. Large lists travel as columns of
// numbers (tasks of 10,000 devices in a few arrays), which the webview reads without building an object per device.

export type RolloutAction = 'advance' | 'pause' | 'resume' | 'abort' | 'retry';
export const ROLLOUT_ACTIONS: readonly RolloutAction[] = ['advance', 'pause', 'resume', 'abort', 'retry'];

/** Task states as the dashboard shows them, in the order the chart stacks them from the bottom. */
export const DASHBOARD_STATES = ['succeeded', 'deployed', 'failed', 'canceled', 'inProgress', 'queued'] as const;
export type DashboardState = (typeof DASHBOARD_STATES)[number];

/** The states' words in English; the host puts them, translated, in DashboardView.stateText. */
export const STATE_TEXT: Readonly<Record<DashboardState, string>> = {
  succeeded: 'Succeeded',
  deployed: 'Deployed (not confirmed)',
  failed: 'Failed',
  canceled: 'Cancelled',
  inProgress: 'In progress',
  queued: 'Queued',
};

/**
 * The page's own words in English, {0}, {1}… standing for what the page fills in; the host puts them, translated,
 * in DashboardView.words, and the page falls back to these for a view saved before it had them.
 */
export const PAGE_WORDS = {
  /** The chart's vertical axis. */
  devicesAxis: 'devices',
  /** The chart's legend for the time under the cursor. */
  time: 'Time',
  /** {0} the time of the last refresh. */
  updated: 'updated {0}',
  /** A wave's gate decision: {0} when, {1} why. */
  gatePassed: 'passed {0}: {1}',
  gateFailed: 'failed {0}: {1}',
  /** {0} a wave's status, {1} when its soak ends. */
  soakingUntil: '{0} (until {1})',
  /** {0} a wave's status, {1} devices left for resume. */
  leftOver: '{0}, {1} left',
  /** {0} tasks created, {1} devices of the wave. */
  tasksOf: '{0} of {1}',
  noFailure: 'No device has failed.',
  /** {0} the waves a failure reason was seen in ("1, 3"). */
  inWaves: 'wave {0}',
  /** {0} a device name. */
  showDevice: 'Show {0} in the device list',
  /** {0} how many more devices share a failure reason. */
  andMore: 'and {0} more',
  /** {0} how many devices. */
  deviceCount: '{0} devices',
  oneMatch: '1 match',
  /** {0} how many devices match the search. */
  matches: '{0} matches',
  /** {0} a count ("12000 devices"), {1} how many rows the list shows. */
  firstShown: '{0}; the first {1} shown',
} as const;

export type PageWords = Record<keyof typeof PAGE_WORDS, string>;

/** Rollout, wave and job statuses in English, as the page shows them; translated in DashboardView.statusText. */
export const STATUS_WORDS: Readonly<Record<string, string>> = {
  running: 'running',
  paused: 'paused',
  aborted: 'aborted',
  done: 'done',
  pending: 'not started',
  starting: 'starting',
  soaking: 'soaking',
  passed: 'passed',
  stopped: 'stopped',
  skipped: 'skipped',
  IN_PROGRESS: 'in progress',
  COMPLETED: 'completed',
  CANCELED: 'canceled',
  PLANNED: 'planned',
};

/**
 * The states a view shows. A cloud that confirms installs (Alibaba) has no "deployed"; one that only delivers
 * (IoTaaP) has nothing in progress and nothing that ever succeeds.
 */
export function viewStates(confirmedByDevices: boolean): DashboardState[] {
  return confirmedByDevices ? ['succeeded', 'failed', 'canceled', 'inProgress', 'queued'] : ['deployed', 'failed', 'canceled', 'queued'];
}

/** The columns of the waves table, the same for the page's header (host) and its rows (webview). */
export type WaveColumn = 'n' | 'label' | 'status' | 'devices' | DashboardState | 'success' | 'failure' | 'gate';

export function waveColumns(confirmedByDevices: boolean): WaveColumn[] {
  const states: WaveColumn[] = confirmedByDevices ? ['succeeded', 'failed', 'inProgress', 'queued', 'canceled'] : ['deployed', 'failed', 'queued', 'canceled'];
  return ['n', 'label', 'status', 'devices', ...states, 'success', 'failure', 'gate'];
}

export type Counts = Record<DashboardState, number>;

export interface WaveView {
  index: number;
  label: string;
  /** pending, starting, running, soaking, passed, stopped, aborted, skipped. */
  status: string;
  devices: number;
  /** Devices that have a task. */
  tasks: number;
  counts: Counts;
  successPercent: number;
  /** Deployed devices of those with a task (a cloud that only delivers). */
  deployedPercent: number;
  failurePercent: number;
  finishedPercent: number;
  startedAt: string | null;
  endedAt: string | null;
  soakUntil: string | null;
  decision: { result: 'pass' | 'fail'; at: string; reason: string } | null;
  /** Devices a pause or gate left out, to start again on resume. */
  left: number;
  /** The gate, in words ("≤ 5 % failed, ≥ 90 % finished, soak 30 min, auto"). */
  gate: string;
}

export interface FailureGroup {
  reason: string;
  count: number;
  /** The devices behind it (at most FAILURE_DEVICES_SHOWN; `count` says how many in all). */
  devices: string[];
  /** 1-based wave numbers it happened in. */
  waves: number[];
}

export const FAILURE_DEVICES_SHOWN = 200;

/** The chart's samples: seconds since 1970 and one column per state. */
export interface ChartData {
  t: number[];
  counts: Record<DashboardState, number[]>;
}

export interface ChartMarker {
  /** Seconds since 1970. */
  t: number;
  kind: 'wave' | 'pass' | 'fail' | 'pause' | 'resume' | 'abort' | 'done';
  label: string;
}

/** Every task, one entry per device, as columns. */
export interface TaskColumns {
  devices: string[];
  /** 0-based wave index. */
  wave: number[];
  /** Index into DASHBOARD_STATES. */
  state: number[];
  /** 0-100, or -1 where the cloud reports none (IoTaaP). */
  progress: number[];
  /** Index into `reasons`, -1 for none. */
  reason: number[];
  reasons: string[];
}

export interface DashboardView {
  kind: 'rollout' | 'job';
  name: string;
  title: string;
  subtitle: string;
  /** running, paused, aborted, done (a job: its job status). */
  status: string;
  summary: string;
  populationSize: number;
  waves: WaveView[];
  failures: FailureGroup[];
  chart: ChartData;
  markers: ChartMarker[];
  tasks: TaskColumns;
  /** False for a cloud that only says it accepted each deploy (IoTaaP): the view says "deployed", never "succeeded". */
  confirmedByDevices: boolean;
  /** The states shown (viewStates), bottom of the chart first. */
  states: DashboardState[];
  /** Each state's words, in the display language. */
  stateText: Record<DashboardState, string>;
  /** The page's words (PAGE_WORDS) in the display language. */
  words: PageWords;
  /** Statuses (STATUS_WORDS) in the display language; a status missing here shows as it is. */
  statusText: Record<string, string>;
  /** VS Code's display language (vscode.env.language) for dates and times; null: the browser's. */
  locale: string | null;
  /** What the reader must know about the counts (that "deployed" is not "installed"), or null. */
  notice: string | null;
  actions: Record<RolloutAction, boolean>;
  updatedAt: string;
  /** The last refresh failed: why, in words (the view still shows what was known). */
  error: string | null;
}

/** Host -> webview. */
export type DashboardHostMessage =
  | { type: 'init'; view: DashboardView }
  | { type: 'update'; view: DashboardView }
  | { type: 'actionResult'; action: RolloutAction; ok: boolean; text: string };

/** Webview -> host. `rendered` tells how long a view took to draw (the benchmark reads it). */
export type DashboardPanelMessage =
  | { type: 'ready' }
  | { type: 'action'; action: RolloutAction }
  | { type: 'rendered'; phase: 'init' | 'update'; ms: number };

export function isDashboardPanelMessage(value: unknown): value is DashboardPanelMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; action?: unknown; phase?: unknown; ms?: unknown };
  if (m.type === 'ready') return true;
  if (m.type === 'action') return typeof m.action === 'string' && (ROLLOUT_ACTIONS as readonly string[]).includes(m.action);
  if (m.type === 'rendered') return (m.phase === 'init' || m.phase === 'update') && typeof m.ms === 'number';
  return false;
}

export function percentText(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${value >= 10 || Number.isInteger(value) ? Math.round(value) : value.toFixed(1)} %`;
}
