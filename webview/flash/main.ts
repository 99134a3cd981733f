// Browser side of the flash progress panel. Renders the state the host sends; asks the host to cancel or retry.
// Everything that came from a device or the cloud is inserted as text, never as HTML.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import {
  FINAL_PHASES,
  formatBytes,
  formatDuration,
  type BoardRowView,
  type FactView,
  type FlashView,
  type HostMessage,
  type LogLine,
  type PanelMessage,
} from '../../src/shared/flashPanelMessages';
import { FLASH_PANEL_STRINGS, fill, type FlashPanelStrings } from '../../src/shared/flashPanelStrings';
import { unhandled } from '../../src/shared/exhaustive';

interface VsCodeApi {
  postMessage(message: PanelMessage): void;
  setState(state: unknown): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const MAX_LOG_LINES = 2000;

/** The panel's words in the display language, from the host (see src/shared/flashPanelStrings.ts). */
const S: FlashPanelStrings = { ...FLASH_PANEL_STRINGS, ...(JSON.parse(document.body.dataset.strings ?? '{}') as Partial<FlashPanelStrings>) };

const PHASE_TEXT: Record<string, { label: string; icon: string }> = {
  waiting: { label: S.waiting, icon: 'watch' },
  negotiating: { label: S.negotiating, icon: 'debug-disconnect' },
  transferring: { label: S.transferring, icon: 'arrow-right' },
  verifying: { label: S.verifying, icon: 'shield' },
  done: { label: S.done, icon: 'pass-filled' },
  failed: { label: S.failed, icon: 'error' },
  cancelled: { label: S.cancelled, icon: 'circle-slash' },
  refused: { label: S.refused, icon: 'circle-slash' },
};

function el<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`missing #${id}`);
  return found as T;
}

/** A done flash that the device did not verify says so: it was sent, nothing more is known. */
const SENT_UNVERIFIED = { label: S.sentUnverified, icon: 'warning' };
const DONE_VERIFIED = { label: S.doneVerified, icon: 'pass-filled' };

function renderFacts(id: string, facts: readonly FactView[]): void {
  const list = el(id);
  const rows = facts.map((f) => {
    const row = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = f.label;
    const dd = document.createElement('dd');
    dd.textContent = f.value;
    row.append(dt, dd);
    return row;
  });
  list.replaceChildren(...rows);
}

function phaseLabel(phase: FlashView['phase'], verified: boolean | null): string {
  if (phase === 'done') return verified ? DONE_VERIFIED.label : SENT_UNVERIFIED.label;
  return PHASE_TEXT[phase]?.label ?? phase;
}

/** A row per board when several are flashed at once. */
function renderBoards(rows: readonly BoardRowView[]): void {
  const table = el<HTMLTableElement>('boards');
  table.hidden = rows.length < 2;
  if (rows.length < 2) return;
  const cells = (row: BoardRowView): string[] => {
    const percent = row.bytesTotal > 0 ? Math.floor((row.bytesDone / row.bytesTotal) * 100) : 0;
    const chip = row.device.find((f) => f.label === 'Chip')?.value ?? '—';
    return [
      row.port,
      chip,
      phaseLabel(row.phase, row.verified),
      `${percent} % (${fill(S.bytesOf, formatBytes(row.bytesDone), formatBytes(row.bytesTotal))})`,
      row.bytesPerSecond > 0 ? `${formatBytes(Math.round(row.bytesPerSecond))}/s` : '—',
      FINAL_PHASES.includes(row.phase) ? (row.message ?? '') : '',
    ];
  };
  const body = table.tBodies[0];
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.phase = row.phase;
      tr.dataset.port = row.port;
      for (const text of cells(row)) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
}

function render(view: FlashView): void {
  const phase =
    view.phase === 'done' ? (view.verified ? DONE_VERIFIED : SENT_UNVERIFIED) : (PHASE_TEXT[view.phase] ?? { label: view.phase, icon: 'info' });
  document.body.dataset.phase = view.phase;
  document.body.dataset.verified = view.verified === null ? '' : String(view.verified);
  el('image').textContent = view.image;
  el('target').textContent = fill(S.target, view.port, view.protocol, view.baud);
  el('phase').textContent = phase.label;
  el('phase-icon').setAttribute('name', phase.icon);
  const percent = view.bytesTotal > 0 ? Math.floor((view.bytesDone / view.bytesTotal) * 100) : 0;
  el('percent').textContent = `${percent} %`;
  const bar = el<HTMLElement & { value?: number; max: number; indeterminate: boolean }>('bar');
  bar.max = 100;
  bar.value = percent;
  bar.indeterminate = view.phase === 'waiting' || view.phase === 'negotiating';
  el('bytes').textContent = fill(S.bytesOf, formatBytes(view.bytesDone), formatBytes(view.bytesTotal));
  el('rate').textContent = view.bytesPerSecond > 0 ? `${formatBytes(Math.round(view.bytesPerSecond))}/s` : '—';
  el('eta').textContent = FINAL_PHASES.includes(view.phase) ? '—' : formatDuration(view.etaSeconds);
  el('elapsed').textContent = formatDuration(view.elapsedSeconds);
  el('retries').textContent = String(view.retries);
  el('message').textContent = view.message ?? '';
  renderFacts('device', view.device);
  renderFacts('live', view.stats);
  renderBoards(view.rows ?? []);
  const final = FINAL_PHASES.includes(view.phase);
  el<HTMLElement & { disabled: boolean }>('cancel').disabled = final;
  el<HTMLElement & { disabled: boolean }>('retry').disabled = !final || view.phase === 'done';
  vscode.setState({ view });
}

function appendLog(lines: LogLine[]): void {
  const log = el('log');
  const stick = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  const fragment = document.createDocumentFragment();
  for (const line of lines) {
    const row = document.createElement('div');
    row.className = `line ${line.level}`;
    const time = document.createElement('span');
    time.className = 'time';
    time.textContent = line.time.slice(11, 23);
    const text = document.createElement('span');
    text.textContent = line.text;
    row.append(time, text);
    fragment.append(row);
  }
  log.append(fragment);
  while (log.childElementCount > MAX_LOG_LINES) log.firstElementChild?.remove();
  if (stick) log.scrollTop = log.scrollHeight;
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      el('log').replaceChildren();
      render(message.view);
      appendLog(message.log);
      break;
    case 'update':
      render(message.view);
      break;
    case 'log':
      appendLog(message.lines);
      break;
    default:
      unhandled(message);
  }
});

el('cancel').addEventListener('click', () => vscode.postMessage({ type: 'cancel' }));
el('retry').addEventListener('click', () => vscode.postMessage({ type: 'retry' }));
vscode.postMessage({ type: 'ready' });
