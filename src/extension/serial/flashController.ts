// Runs flash sessions for the extension: one flash at a time (to one board, or to several boards in parallel, a row
// each), shown in the progress panel and the status bar, with cancel and "flash again". A busy port held by the Serial Monitor is freed (with the user's consent) and the
// monitor restored afterwards.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { saidAs } from '../../core/sentences';
import { spoken, spokenError, spokenFacts } from '../common/spoken';
import type { VirtualPort } from '../../core/serial/ports';
import type { FlashOptionBag, FlashRegion } from '../../core/serial/protocols/types';
import { FlashSession } from '../../core/serial/session';
import type { FlashLogLine, FlashResult, FlashSnapshot } from '../../core/serial/sessionTypes';
import { unhandled } from '../../shared/exhaustive';
import { formatBytes } from '../../shared/units';
import {
  FINAL_PHASES,
  type BoardRowView,
  type FlashPhase,
  type FlashView,
  type HostMessage,
  type LogLine,
  type PanelMessage,
} from '../../shared/flashPanelMessages';
import type { Log } from '../common/log';
import { protocolText } from './coreTexts';
import { FlashPanel, type PanelSource } from './flashPanel';
import type { SerialMonitorBridge } from './serialMonitor';

export interface FlashRequest {
  /** A .bin's bytes, or regions at addresses (an Intel HEX file, a PlatformIO ESP32 build's images). */
  image: Uint8Array | readonly FlashRegion[];
  /** File name shown and sent (YMODEM block 0). */
  imageName: string;
  /** One port, or several: the same image goes to each board, in parallel. */
  ports: readonly string[];
  protocol: string;
  baud: number;
  options: FlashOptionBag;
  /** Options for one port only (e.g. the esp protocol's usbId, from the port's VID:PID). */
  portOptions?: Readonly<Record<string, FlashOptionBag>>;
}

const MAX_LOG = 2000;

/** The order in which a flash moves on; several boards show the least advanced. */
const PHASE_ORDER: readonly FlashPhase[] = ['waiting', 'negotiating', 'transferring', 'verifying', 'done', 'refused', 'cancelled', 'failed'];

function toLogLine(line: FlashLogLine, port: string | null): LogLine {
  const level = line.fromDevice ? 'device' : line.level === 'debug' ? 'info' : line.level;
  // A line marked as the device's may be the core's words about it ("The MCU runs version V1_0"), retold then; the
  // device's own lines stay as they came.
  const text = line.fromDevice && !saidAs(line.text) ? line.text : spoken(line.text);
  return { time: line.time, level, text: port ? `[${port}] ${text}` : text };
}

function imageBytes(image: FlashRequest['image']): number {
  return image instanceof Uint8Array ? image.length : image.reduce((n, r) => n + r.data.length, 0);
}

interface Board {
  port: string;
  session: FlashSession;
  row: BoardRowView;
  snapshot: FlashSnapshot;
}

export class FlashController implements PanelSource, vscode.Disposable {
  private readonly panel: FlashPanel;
  private readonly status: vscode.StatusBarItem;
  private readonly boards = new Map<string, Board>();
  private active = 0;
  private request: FlashRequest | undefined;
  private view: FlashView | undefined;
  private logLines: LogLine[] = [];
  private hideTimer: NodeJS.Timeout | undefined;
  private readonly ended = new vscode.EventEmitter<FlashResult>();
  /** Fires when a flash to a board ends, whatever its result (once per board). */
  readonly onDidEnd = this.ended.event;

  constructor(
    extensionUri: vscode.Uri,
    private readonly log: Log,
    private readonly monitor: SerialMonitorBridge,
    private readonly virtualPorts: () => readonly VirtualPort[],
  ) {
    this.panel = new FlashPanel(extensionUri, this);
    this.status = vscode.window.createStatusBarItem('ota.flash', vscode.StatusBarAlignment.Left, 50);
    this.status.name = vscode.l10n.t('OTA Flash');
    this.status.command = 'ota.serial.showFlash';
  }

  get running(): boolean {
    return this.active > 0;
  }

  /** The current or last flash, as the panel shows it. */
  get current(): FlashView | undefined {
    return this.view;
  }

  showPanel(): void {
    if (this.view) this.panel.show(vscode.l10n.t('Flash {0}', this.view.image));
  }

  cancel(): void {
    for (const b of this.boards.values()) b.session.cancel();
  }

  /**
   * Flashes every port of the request at once and resolves with one result per port, in the request's order (never
   * rejects for device trouble: that is a failed result). One board failing does not stop the others.
   */
  async flash(request: FlashRequest): Promise<FlashResult[]> {
    if (this.running) throw new Error(vscode.l10n.t('A flash to {0} is running: cancel it or wait for it to end.', this.view?.port ?? '—'));
    if (request.ports.length === 0) throw new Error(vscode.l10n.t('No port to flash to.'));
    this.request = request;
    this.logLines = [];
    this.boards.clear();
    this.active = request.ports.length;
    for (const port of request.ports) this.boards.set(port, this.newBoard(request, port));
    this.refreshView();
    this.panel.show(vscode.l10n.t('Flash {0}', request.imageName));
    this.panel.post(this.initMessage());
    this.updateStatus();
    const several = request.ports.length > 1;
    this.log.info(
      `Flashing ${request.imageName} (${imageBytes(request.image)} bytes) to ${request.ports.join(', ')} with ${request.protocol} at ${request.baud} baud`,
    );
    try {
      return await Promise.all(request.ports.map((port) => this.flashPort(request, port, several)));
    } finally {
      this.active = 0;
      this.updateStatus();
    }
  }

  /** One board: the flash, and once more after freeing the port from the Serial Monitor if it held it. */
  private async flashPort(request: FlashRequest, port: string, several: boolean): Promise<FlashResult> {
    let result = await this.runBoard(port, several);
    if (result.errorCode === 'port-busy' && this.monitor.installed) {
      const restore = await this.monitor.offerToStop(port, vscode.workspace.getConfiguration('ota.serial').get<number>('monitorBaud', 115200));
      if (restore) {
        try {
          this.boards.set(port, this.newBoard(request, port));
          result = await this.runBoard(port, several);
        } finally {
          // The Serial Monitor gets its port back, whatever the flash did.
          await restore().catch((e: unknown) => this.log.warn(`The Serial Monitor could not be restarted on ${port}: ${errorMessage(e)}`));
        }
      }
    }
    this.active = Math.max(0, this.active - 1);
    this.updateStatus();
    return result;
  }

  private newBoard(request: FlashRequest, port: string): Board {
    const session = new FlashSession({
      protocol: request.protocol,
      image: request.image,
      imageName: request.imageName,
      port,
      serial: { baudRate: request.baud },
      virtualPorts: this.virtualPorts(),
      options: { ...request.options, ...(request.portOptions?.[port] ?? {}) },
    });
    const snapshot = session.snapshot();
    return { port, session, snapshot, row: this.toRow(snapshot) };
  }

  private async runBoard(port: string, several: boolean): Promise<FlashResult> {
    const board = this.boards.get(port)!;
    const { session } = board;
    const unsubscribe = session.onEvent((event) => {
      if (event.type === 'log') {
        const line = toLogLine(event.line, several ? port : null);
        this.logLines.push(line);
        if (this.logLines.length > MAX_LOG) this.logLines.splice(0, this.logLines.length - MAX_LOG);
        this.panel.post({ type: 'log', lines: [line] });
        if (event.line.level === 'warn' || event.line.level === 'error') this.log.warn(`flash ${port}: ${event.line.text}`);
        return;
      }
      this.update(board);
    });
    try {
      const result = await session.start();
      this.update(board);
      this.log.info(`Flash to ${port} ${result.result}: ${result.message}`);
      this.ended.fire(result);
      return result;
    } finally {
      unsubscribe();
    }
  }

  private update(board: Board): void {
    board.snapshot = board.session.snapshot();
    board.row = this.toRow(board.snapshot);
    this.refreshView();
    if (this.view) this.panel.post({ type: 'update', view: this.view });
    this.updateStatus();
  }

  private toRow(s: FlashSnapshot): BoardRowView {
    return {
      port: s.port,
      phase: s.result?.result === 'refused' ? 'refused' : s.phase,
      bytesDone: s.bytesDone,
      bytesTotal: s.bytesTotal,
      bytesPerSecond: s.result ? s.result.bytesPerSecond : s.bytesPerSecond,
      message: spoken(s.result ? s.result.message : s.status),
      device: spokenFacts(s.device),
      verified: s.result?.result === 'ok' ? s.result.verified : null,
    };
  }

  private protocolLabel(id: string, coreLabel: string): string {
    return protocolText({ id, label: coreLabel, description: '' }).label;
  }

  private refreshView(): void {
    const r = this.request;
    if (!r) return;
    const boards = r.ports.map((p) => this.boards.get(p)!).filter(Boolean);
    const rows = boards.map((b) => b.row);
    if (boards.length === 1) {
      const s = boards[0].snapshot;
      this.view = {
        image: r.imageName,
        port: boards[0].port,
        protocol: this.protocolLabel(r.protocol, s.protocolLabel),
        baud: r.baud,
        phase: rows[0].phase,
        bytesDone: s.bytesDone,
        bytesTotal: s.bytesTotal,
        bytesPerSecond: rows[0].bytesPerSecond,
        etaSeconds: s.etaSeconds,
        retries: s.retries,
        elapsedSeconds: s.elapsedSeconds,
        message: rows[0].message,
        device: rows[0].device,
        stats: spokenFacts(s.stats),
        verified: rows[0].verified,
        rows,
      };
      return;
    }
    const running = rows.filter((x) => !FINAL_PHASES.includes(x.phase));
    const phase: FlashPhase = running.length
      ? running.map((x) => x.phase).sort((a, b) => PHASE_ORDER.indexOf(a) - PHASE_ORDER.indexOf(b))[0]
      : rows.every((x) => x.phase === 'done')
        ? 'done'
        : rows.some((x) => x.phase === 'failed')
          ? 'failed'
          : rows.some((x) => x.phase === 'refused')
            ? 'refused'
            : 'cancelled';
    const ok = rows.filter((x) => x.phase === 'done');
    const bad = rows.filter((x) => FINAL_PHASES.includes(x.phase) && x.phase !== 'done');
    const message = running.length
      ? vscode.l10n.t('Flashing {0} boards: {1} finished.', rows.length, rows.length - running.length)
      : boardsEndText(ok.length, rows.length, ok.length > 0 && ok.every((x) => x.verified), bad.map((x) => `${x.port} ${phaseWord(x.phase)}`));
    const snaps = boards.map((b) => b.snapshot);
    const etas = snaps.map((x) => x.etaSeconds);
    this.view = {
      image: r.imageName,
      port: vscode.l10n.t('{0} boards', rows.length),
      protocol: this.protocolLabel(r.protocol, snaps[0]?.protocolLabel ?? r.protocol),
      baud: r.baud,
      phase,
      bytesDone: rows.reduce((n, x) => n + x.bytesDone, 0),
      bytesTotal: rows.reduce((n, x) => n + x.bytesTotal, 0),
      bytesPerSecond: rows.reduce((n, x) => n + x.bytesPerSecond, 0),
      etaSeconds: etas.some((e) => e === null) ? null : Math.max(0, ...(etas as number[])),
      retries: snaps.reduce((n, x) => n + x.retries, 0),
      elapsedSeconds: Math.max(0, ...snaps.map((x) => x.elapsedSeconds)),
      message,
      device: [],
      stats: [],
      verified: phase === 'done' ? rows.every((x) => x.verified === true) : null,
      rows,
    };
  }

  private updateStatus(): void {
    if (this.hideTimer) clearTimeout(this.hideTimer);
    const v = this.view;
    if (!v) return this.status.hide();
    const percent = v.bytesTotal ? Math.floor((v.bytesDone / v.bytesTotal) * 100) : 0;
    if (this.running) {
      this.status.text = `$(sync~spin) ${vscode.l10n.t('Flash {0} % · {1}', percent, v.port)}`;
      this.status.tooltip = vscode.l10n.t('Flashing {0} to {1}: {2} of {3}. Click to show.', v.image, v.port, formatBytes(v.bytesDone), formatBytes(v.bytesTotal));
      this.status.backgroundColor = undefined;
    } else {
      const icon = v.phase === 'done' ? (v.verified ? '$(pass)' : '$(warning)') : v.phase === 'cancelled' ? '$(circle-slash)' : '$(error)';
      this.status.text = `${icon} ${flashEndText(v.phase, v.verified)}`;
      this.status.tooltip = v.message ?? undefined;
      const failed = v.phase === 'failed' || v.phase === 'refused';
      this.status.backgroundColor = failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      this.hideTimer = setTimeout(() => this.status.hide(), 15_000);
    }
    this.status.show();
  }

  initMessage(): HostMessage {
    const view = this.view ?? {
      image: '—', port: '—', protocol: '—', baud: 0, phase: 'waiting' as const, bytesDone: 0, bytesTotal: 0, bytesPerSecond: 0,
      etaSeconds: null, retries: 0, elapsedSeconds: 0, message: null, device: [], stats: [], verified: null, rows: [],
    };
    return { type: 'init', view, log: this.logLines };
  }

  onPanelMessage(message: PanelMessage): void {
    switch (message.type) {
      case 'cancel':
        this.cancel();
        break;
      case 'retry':
        if (this.request && !this.running) {
          const again = this.request;
          void this.flash(again).catch((e: unknown) => void vscode.window.showErrorMessage(spokenError(e)));
        }
        break;
      case 'ready':
        // The panel answers it with initMessage().
        break;
      default:
        unhandled(message);
    }
  }

  dispose(): void {
    for (const b of this.boards.values()) b.session.cancel('VS Code is closing.');
    if (this.hideTimer) clearTimeout(this.hideTimer);
    this.panel.dispose();
    this.status.dispose();
    this.ended.dispose();
  }
}

/** How a flash to several boards ended: how many were flashed (and verified), and which did not. */
function boardsEndText(ok: number, total: number, verified: boolean, others: string[]): string {
  const rest = others.join(', ');
  if (verified) {
    return others.length
      ? vscode.l10n.t('{0} of {1} boards flashed and verified; {2}.', ok, total, rest)
      : vscode.l10n.t('{0} of {1} boards flashed and verified.', ok, total);
  }
  return others.length ? vscode.l10n.t('{0} of {1} boards flashed; {2}.', ok, total, rest) : vscode.l10n.t('{0} of {1} boards flashed.', ok, total);
}

/** A board's phase in the panel's words. */
function phaseWord(phase: FlashPhase): string {
  switch (phase) {
    case 'waiting':
      return vscode.l10n.t('waiting');
    case 'negotiating':
      return vscode.l10n.t('negotiating');
    case 'transferring':
      return vscode.l10n.t('transferring');
    case 'verifying':
      return vscode.l10n.t('verifying');
    case 'done':
      return vscode.l10n.t('done');
    case 'refused':
      return vscode.l10n.t('refused');
    case 'cancelled':
      return vscode.l10n.t('cancelled');
    case 'failed':
      return vscode.l10n.t('failed');
    default:
      return unhandled(phase);
  }
}

/** The status bar's word for how a flash ended. */
function flashEndText(phase: string, verified: boolean | null): string {
  if (phase === 'done') return verified ? vscode.l10n.t('Flash done') : vscode.l10n.t('Flash sent, not verified');
  if (phase === 'cancelled') return vscode.l10n.t('Flash cancelled');
  if (phase === 'refused') return vscode.l10n.t('Flash refused');
  return vscode.l10n.t('Flash failed');
}
