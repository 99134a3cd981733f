// Browser side of the rollout dashboard: a stacked area chart of task states over time (uPlot) with wave starts and
// gate decisions marked, the waves with their counts and rates, failure reasons with the devices behind them, a
// device search, and the rollout's actions. Updates change the existing elements in place (no rebuild, no flicker);
// the device table shows at most ROWS rows of the matches, so 10,000 devices cost no more DOM than 100.
// Everything from the cloud is inserted as text, never as HTML.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import uPlot from 'uplot';
import {
  DASHBOARD_STATES,
  PAGE_WORDS,
  ROLLOUT_ACTIONS,
  STATUS_WORDS,
  percentText,
  waveColumns,
  type ChartMarker,
  type DashboardHostMessage,
  type DashboardPanelMessage,
  type DashboardState,
  type DashboardView,
  type PageWords,
  type WaveColumn,
  type WaveView,
} from '../../src/shared/rolloutDashboardMessages';
import { unhandled } from '../../src/shared/exhaustive';
import { fill } from '../../src/shared/flashPanelStrings';

interface VsCodeApi {
  postMessage(message: DashboardPanelMessage): void;
  setState(state: unknown): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const ROWS = 100;
const CHIPS = 30;
const CHART_HEIGHT = 240;

const STATUS_ICON: Record<string, string> = {
  running: 'sync',
  paused: 'debug-pause',
  aborted: 'circle-slash',
  done: 'pass-filled',
  pending: 'circle-large-outline',
  starting: 'loading',
  soaking: 'watch',
  passed: 'pass',
  stopped: 'error',
  skipped: 'dash',
  IN_PROGRESS: 'sync',
  COMPLETED: 'pass-filled',
  CANCELED: 'circle-slash',
  PLANNED: 'calendar',
};

const STATE_COLOR_VAR: Record<DashboardState, [string, string]> = {
  succeeded: ['--vscode-charts-green', '#388a34'],
  // Accepted by the service, not confirmed by the device: not the green of a success.
  deployed: ['--vscode-charts-purple', '#652d90'],
  failed: ['--vscode-charts-red', '#e51400'],
  canceled: ['--vscode-disabledForeground', '#8b8b8b'],
  inProgress: ['--vscode-charts-blue', '#1a85ff'],
  queued: ['--vscode-charts-yellow', '#bf8803'],
};

const MARKER_COLOR_VAR: Record<ChartMarker['kind'], [string, string]> = {
  wave: ['--vscode-charts-foreground', '#888888'],
  pass: ['--vscode-charts-green', '#388a34'],
  fail: ['--vscode-charts-red', '#e51400'],
  pause: ['--vscode-charts-orange', '#d18616'],
  resume: ['--vscode-charts-blue', '#1a85ff'],
  abort: ['--vscode-charts-red', '#e51400'],
  done: ['--vscode-charts-green', '#388a34'],
};

function themeColor([name, fallback]: [string, string]): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** The colour without its transparency: stacked areas are painted over each other, so each must hide the one below. */
function opaque(color: string): string {
  const rgba = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)/i.exec(color);
  if (rgba) return `rgb(${rgba[1]}, ${rgba[2]}, ${rgba[3]})`;
  if (/^#[0-9a-f]{8}$/i.test(color)) return color.slice(0, 7);
  if (/^#[0-9a-f]{4}$/i.test(color)) return color.slice(0, 4);
  return color;
}

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`missing #${id}`);
  return found as T;
}

function make<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function setText(e: Element, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

/** The display language of VS Code (the browser's own may differ), for times. */
let locale: string | undefined;

function time(iso: string | null): string {
  return iso ? new Date(iso).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '—';
}

/**
 * The chart's time axis in the display language: hours and minutes (and seconds when the ticks are less than a minute
 * apart, as in a rollout of a few seconds), and the date where the day changes.
 */
function axisTimes(_u: uPlot, splits: number[], _axis: number, _space: number, incr: number): string[] {
  let day = '';
  const clock: Intl.DateTimeFormatOptions = incr < 60 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' };
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const hm = d.toLocaleTimeString(locale, clock);
    const date = d.toLocaleDateString(locale, { month: 'short', day: 'numeric' });
    const shown = date === day ? hm : `${hm}\n${date}`;
    day = date;
    return shown;
  });
}

let view: DashboardView | null = null;

/** The page's words in the display language (English for a view saved before views carried them). */
let W: PageWords = { ...PAGE_WORDS };
let statusWords: Record<string, string> = { ...STATUS_WORDS };

function statusText(status: string): string {
  return statusWords[status] ?? status;
}

// ---- chart -------------------------------------------------------------------------------------------------------

let plot: uPlot | null = null;
/** Raw (not stacked) counts per state, for the legend. */
let raw: Record<DashboardState, number[]> | null = null;
let markers: ChartMarker[] = [];
/** Series order in the plot: the top of the stack first, so each lower area is painted over the one above. */
let topFirst: DashboardState[] = [...DASHBOARD_STATES].reverse();

function chartData(v: DashboardView): uPlot.AlignedData {
  const n = v.chart.t.length;
  const stacked: Record<string, number[]> = {};
  let acc = new Array<number>(n).fill(0);
  for (const s of v.states) {
    const col = v.chart.counts[s] ?? [];
    acc = acc.map((a, i) => a + (col[i] ?? 0));
    stacked[s] = acc;
  }
  raw = v.chart.counts;
  return [v.chart.t, ...topFirst.map((s) => stacked[s])];
}

function drawMarkers(u: uPlot): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const ratio = uPlot.pxRatio;
  ctx.save();
  ctx.font = `${11 * ratio}px ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`;
  ctx.textBaseline = 'top';
  markers.forEach((m, i) => {
    const x = Math.round(u.valToPos(m.t, 'x', true));
    if (!Number.isFinite(x) || x < left - 1 || x > left + width + 1) return;
    const color = themeColor(MARKER_COLOR_VAR[m.kind]);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = (m.kind === 'fail' ? 2 : 1) * ratio;
    ctx.setLineDash(m.kind === 'wave' ? [4 * ratio, 3 * ratio] : []);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.fillText(m.label, x + 3 * ratio, top + 2 * ratio + (i % 3) * 13 * ratio);
  });
  ctx.restore();
}

function makePlot(v: DashboardView): uPlot {
  const box = el('chart');
  topFirst = [...v.states].reverse();
  const series: uPlot.Series[] = [
    { label: W.time, value: (_u, v) => (v === null ? '—' : time(new Date(v * 1000).toISOString())) },
    ...topFirst.map((s): uPlot.Series => {
      const color = opaque(themeColor(STATE_COLOR_VAR[s]));
      return {
        label: v.stateText[s],
        stroke: color,
        fill: color,
        width: 1,
        points: { show: false },
        value: (_u, _v, _si, idx) => (idx === null || !raw ? '—' : String(raw[s]?.[idx] ?? 0)),
      };
    }),
  ];
  const axisColor = themeColor(['--vscode-foreground', '#cccccc']);
  const gridColor = themeColor(['--vscode-editorWidget-border', '#454545']);
  const opts: uPlot.Options = {
    width: Math.max(320, box.clientWidth),
    height: CHART_HEIGHT,
    series,
    scales: { x: { time: true } },
    axes: [
      { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, values: axisTimes },
      { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, label: W.devicesAxis },
    ],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    hooks: { draw: [drawMarkers] },
  };
  return new uPlot(opts, chartData(v), box);
}

function renderChart(v: DashboardView): void {
  markers = v.markers;
  if (!plot) plot = makePlot(v);
  else plot.setData(chartData(v));
  const list = el('markers');
  const items = v.markers.map((m) => `${time(new Date(m.t * 1000).toISOString())} ${m.label}`);
  if (list.childElementCount !== items.length || items.some((t, i) => list.children[i]?.textContent !== t)) {
    list.replaceChildren(
      ...v.markers.map((m, i) => {
        const li = make('li', `marker ${m.kind}`, items[i]);
        return li;
      }),
    );
  }
}

new ResizeObserver(() => {
  if (plot) plot.setSize({ width: Math.max(320, el('chart').clientWidth), height: CHART_HEIGHT });
}).observe(el('chart'));

// ---- header and actions ------------------------------------------------------------------------------------------

function renderHeader(v: DashboardView): void {
  document.body.dataset.status = v.status;
  setText(el('title'), v.title);
  setText(el('subtitle'), v.subtitle);
  setText(el('status-text'), statusText(v.status));
  el('status-icon').setAttribute('name', STATUS_ICON[v.status] ?? 'info');
  setText(el('summary'), v.summary);
  setText(el('notice'), v.notice ?? '');
  setText(el('error'), v.error ?? '');
  setText(el('updated'), fill(W.updated, time(v.updatedAt)));
  for (const a of ROLLOUT_ACTIONS) {
    const button = el<HTMLElement & { disabled: boolean }>(`act-${a}`);
    button.disabled = !v.actions[a];
    button.hidden = v.kind === 'job' && (a === 'advance' || a === 'pause' || a === 'resume');
  }
}

for (const a of ROLLOUT_ACTIONS) {
  el(`act-${a}`).addEventListener('click', () => {
    setText(el('action-result'), '');
    el<HTMLElement & { disabled: boolean }>(`act-${a}`).disabled = true;
    vscode.postMessage({ type: 'action', action: a });
  });
}

// ---- waves ---------------------------------------------------------------------------------------------------------

function waveCells(w: WaveView, confirmed: boolean): Record<WaveColumn, string> {
  const decision = w.decision ? fill(w.decision.result === 'pass' ? W.gatePassed : W.gateFailed, time(w.decision.at), w.decision.reason) : w.gate;
  let status = statusText(w.status);
  if (w.status === 'soaking' && w.soakUntil) status = fill(W.soakingUntil, status, time(w.soakUntil));
  if (w.left) status = fill(W.leftOver, status, w.left);
  const finished = w.counts.succeeded + (w.counts.deployed ?? 0) + w.counts.failed;
  return {
    n: String(w.index + 1),
    label: w.label,
    status,
    devices: w.tasks && w.tasks !== w.devices ? fill(W.tasksOf, w.tasks, w.devices) : String(w.devices),
    succeeded: String(w.counts.succeeded),
    deployed: String(w.counts.deployed ?? 0),
    failed: String(w.counts.failed),
    inProgress: String(w.counts.inProgress),
    queued: String(w.counts.queued),
    canceled: String(w.counts.canceled),
    success: w.tasks ? percentText(confirmed ? w.successPercent : w.deployedPercent) : '—',
    failure: finished ? percentText(w.failurePercent) : '—',
    gate: decision,
  };
}

function renderWaves(v: DashboardView): void {
  const columns = waveColumns(v.confirmedByDevices);
  const body = el('waves-body');
  while (body.childElementCount > v.waves.length) body.lastElementChild?.remove();
  v.waves.forEach((w, i) => {
    let row = body.children[i] as HTMLTableRowElement | undefined;
    if (!row) {
      row = make('tr');
      for (const c of columns) row.append(make('td', `c-${c}`));
      body.append(row);
    }
    row.dataset.status = w.status;
    row.dataset.decision = w.decision?.result ?? '';
    const cells = waveCells(w, v.confirmedByDevices);
    columns.forEach((c, j) => setText(row.children[j], cells[c]));
  });
}

// ---- failures ------------------------------------------------------------------------------------------------------

let failureKey = '';

function renderFailures(v: DashboardView): void {
  const key = JSON.stringify(v.failures.map((f) => [f.reason, f.count, f.devices.slice(0, CHIPS)]));
  if (key === failureKey) return;
  failureKey = key;
  const box = el('failures');
  if (v.failures.length === 0) {
    box.replaceChildren(make('div', 'empty', W.noFailure));
    return;
  }
  box.replaceChildren(
    ...v.failures.map((f) => {
      const group = make('div', 'failure');
      const head = make('div', 'reason');
      head.append(make('span', 'count', String(f.count)), make('span', 'text', f.reason), make('span', 'waves', fill(W.inWaves, f.waves.join(', '))));
      const chips = make('div', 'devices');
      for (const d of f.devices.slice(0, CHIPS)) {
        const chip = make('button', 'chip', d);
        chip.type = 'button';
        chip.title = fill(W.showDevice, d);
        chip.addEventListener('click', () => {
          const field = el<HTMLElement & { value: string }>('search');
          field.value = d;
          search = d;
          renderDevices();
        });
        chips.append(chip);
      }
      if (f.count > CHIPS) chips.append(make('span', 'more', fill(W.andMore, f.count - CHIPS)));
      group.append(head, chips);
      return group;
    }),
  );
}

// ---- device search -----------------------------------------------------------------------------------------------

let search = '';
let lowerNames: string[] = [];
let namesOf: string[] | null = null;

/** A count, and that only the first ROWS are listed when there are more. */
function firstShown(count: string, n: number): string {
  return n > ROWS ? fill(W.firstShown, count, ROWS) : count;
}

function renderDevices(): void {
  if (!view) return;
  const t = view.tasks;
  if (namesOf !== t.devices) {
    namesOf = t.devices;
    lowerNames = t.devices.map((d) => d.toLowerCase());
  }
  const q = search.trim().toLowerCase();
  const stateFilter = DASHBOARD_STATES.findIndex((s) => view?.stateText[s].toLowerCase() === q || s.toLowerCase() === q);
  const matches: number[] = [];
  let total = 0;
  for (let i = 0; i < lowerNames.length; i++) {
    const hit = q === '' || (stateFilter >= 0 ? t.state[i] === stateFilter : lowerNames[i].includes(q));
    if (!hit) continue;
    total++;
    if (matches.length < ROWS) matches.push(i);
  }
  setText(
    el('search-count'),
    q === ''
      ? firstShown(fill(W.deviceCount, lowerNames.length), lowerNames.length)
      : firstShown(total === 1 ? W.oneMatch : fill(W.matches, total), total),
  );
  const body = el('devices-body');
  for (let r = 0; r < ROWS; r++) {
    let row = body.children[r] as HTMLTableRowElement | undefined;
    const i = matches[r];
    if (i === undefined) {
      if (row) row.hidden = true;
      continue;
    }
    if (!row) {
      row = make('tr');
      for (let c = 0; c < 5; c++) row.append(make('td'));
      body.append(row);
    }
    row.hidden = false;
    const state = DASHBOARD_STATES[t.state[i]];
    row.dataset.state = state;
    setText(row.children[0], t.devices[i]);
    setText(row.children[1], String(t.wave[i] + 1));
    setText(row.children[2], view.stateText[state]);
    setText(row.children[3], t.progress[i] < 0 ? '—' : `${t.progress[i]} %`);
    setText(row.children[4], t.reason[i] >= 0 ? t.reasons[t.reason[i]] : '');
  }
}

let searchTimer: ReturnType<typeof setTimeout> | undefined;
el('search').addEventListener('input', (e) => {
  search = String((e.target as HTMLElement & { value: string }).value ?? '');
  clearTimeout(searchTimer);
  searchTimer = setTimeout(renderDevices, 80);
});

// ---- messages ------------------------------------------------------------------------------------------------------

function render(v: DashboardView, phase: 'init' | 'update'): void {
  const started = performance.now();
  view = v;
  W = { ...PAGE_WORDS, ...v.words };
  locale = v.locale ?? undefined;
  statusWords = { ...STATUS_WORDS, ...v.statusText };
  renderHeader(v);
  renderChart(v);
  renderWaves(v);
  renderFailures(v);
  renderDevices();
  // Kept for a reload: everything but the task columns (the host sends those again).
  vscode.setState({ view: { ...v, tasks: { devices: [], wave: [], state: [], progress: [], reason: [], reasons: [] } } });
  // The time until the browser has laid out and painted the change.
  requestAnimationFrame(() => setTimeout(() => vscode.postMessage({ type: 'rendered', phase, ms: performance.now() - started }), 0));
}

window.addEventListener('message', (event: MessageEvent<DashboardHostMessage>) => {
  const m = event.data;
  switch (m.type) {
    case 'init':
      render(m.view, 'init');
      break;
    case 'update':
      render(m.view, 'update');
      break;
    case 'actionResult': {
      const box = el('action-result');
      box.dataset.ok = String(m.ok);
      setText(box, m.text);
      if (view) renderHeader(view);
      break;
    }
    default:
      unhandled(m);
  }
});

const saved = vscode.getState() as { view?: DashboardView } | undefined;
// A view kept by an older version of the page may lack fields this one reads: the host sends a whole one anyway.
if (saved?.view && Array.isArray(saved.view.states)) render(saved.view, 'init');
vscode.postMessage({ type: 'ready' });
