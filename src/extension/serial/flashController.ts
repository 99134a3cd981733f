// Runs flash sessions for the extension: one at a time, shown in the progress panel and the status bar, with
// cancel and "flash again". A busy port held by the Serial Monitor is freed (with the user's consent) and the
// monitor restored afterwards.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { VirtualPort } from '../../core/serial/ports';
import type { FlashOptionBag } from '../../core/serial/protocols/types';
import { FlashSession } from '../../core/serial/session';
import type { FlashLogLine, FlashResult, FlashSnapshot } from '../../core/serial/sessionTypes';
import { formatBytes, type FlashView, type HostMessage, type LogLine, type PanelMessage } from '../../shared/flashPanelMessages';
import type { Log } from '../common/log';
import { FlashPanel, type PanelSource } from './flashPanel';
import type { SerialMonitorBridge } from './serialMonitor';

export interface FlashRequest {
  image: Uint8Array;
  /** File name shown and sent (YMODEM block 0). */
  imageName: string;
  port: string;
  protocol: string;
  baud: number;
  options: FlashOptionBag;
}

const MAX_LOG = 2000;

function toLogLine(line: FlashLogLine): LogLine {
  const level = line.fromDevice ? 'device' : line.level === 'debug' ? 'info' : line.level;
  return { time: line.time, level, text: line.text };
}

export class FlashController implements PanelSource, vscode.Disposable {
  private readonly panel: FlashPanel;
  private readonly status: vscode.StatusBarItem;
  private session: FlashSession | undefined;
  private request: FlashRequest | undefined;
  private view: FlashView | undefined;
  private logLines: LogLine[] = [];
  private hideTimer: NodeJS.Timeout | undefined;
  private readonly ended = new vscode.EventEmitter<FlashResult>();
  /** Fires when a flash ends, whatever its result. */
  readonly onDidEnd = this.ended.event;

  constructor(
    extensionUri: vscode.Uri,
    private readonly log: Log,
    private readonly monitor: SerialMonitorBridge,
    private readonly virtualPorts: () => readonly VirtualPort[],
  ) {
    this.panel = new FlashPanel(extensionUri, this);
    this.status = vscode.window.createStatusBarItem('ota.flash', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'OTA Flash';
    this.status.command = 'ota.serial.showFlash';
  }

  get running(): boolean {
    return this.session !== undefined;
  }

  /** The current or last flash, as the panel shows it. */
  get current(): FlashView | undefined {
    return this.view;
  }

  showPanel(): void {
    if (this.view) this.panel.show(`Flash ${this.view.image}`);
  }

  cancel(): void {
    this.session?.cancel();
  }

  /** Flashes and resolves with the result (never rejects for device trouble: that is a failed result). */
  async flash(request: FlashRequest): Promise<FlashResult> {
    if (this.session) throw new Error(`A flash to ${this.view?.port ?? 'a port'} is running; cancel it or wait for it to end.`);
    let result = await this.run(request);
    if (result.errorCode === 'port-busy' && this.monitor.installed) {
      const restore = await this.monitor.offerToStop(request.port, vscode.workspace.getConfiguration('ota.serial').get<number>('monitorBaud', 115200));
      if (restore) {
        try {
          result = await this.run(request);
        } finally {
          await restore().catch((e: unknown) => this.log.warn(`The Serial Monitor could not be restarted on ${request.port}: ${errorMessage(e)}`));
        }
      }
    }
    return result;
  }

  private async run(request: FlashRequest): Promise<FlashResult> {
    this.request = request;
    this.logLines = [];
    const session = new FlashSession({
      protocol: request.protocol,
      image: request.image,
      imageName: request.imageName,
      port: request.port,
      serial: { baudRate: request.baud },
      virtualPorts: this.virtualPorts(),
      options: request.options,
    });
    this.session = session;
    this.view = this.toView(session.snapshot(), request);
    this.panel.show(`Flash ${request.imageName}`);
    this.panel.post(this.initMessage());
    this.updateStatus();
    const unsubscribe = session.onEvent((event) => {
      if (event.type === 'log') {
        const line = toLogLine(event.line);
        this.logLines.push(line);
        if (this.logLines.length > MAX_LOG) this.logLines.splice(0, this.logLines.length - MAX_LOG);
        this.panel.post({ type: 'log', lines: [line] });
        if (event.line.level === 'warn' || event.line.level === 'error') this.log.warn(`flash: ${event.line.text}`);
        return;
      }
      this.view = this.toView(session.snapshot(), request);
      this.panel.post({ type: 'update', view: this.view });
      this.updateStatus();
    });
    this.log.info(`Flashing ${request.imageName} (${request.image.length} bytes) to ${request.port} with ${request.protocol} at ${request.baud} baud`);
    try {
      const result = await session.start();
      this.view = this.toView(session.snapshot(), request);
      this.panel.post({ type: 'update', view: this.view });
      this.log.info(`Flash ${result.result}: ${result.message}`);
      this.ended.fire(result);
      return result;
    } finally {
      unsubscribe();
      this.session = undefined;
      this.updateStatus();
    }
  }

  private toView(s: FlashSnapshot, r: FlashRequest): FlashView {
    return {
      image: r.imageName,
      port: r.port,
      protocol: s.protocolLabel,
      baud: r.baud,
      phase: s.result?.result === 'refused' ? 'refused' : s.phase,
      bytesDone: s.bytesDone,
      bytesTotal: s.bytesTotal,
      bytesPerSecond: s.result ? s.result.bytesPerSecond : s.bytesPerSecond,
      etaSeconds: s.etaSeconds,
      retries: s.retries,
      elapsedSeconds: s.elapsedSeconds,
      message: s.result ? s.result.message : s.status,
      device: s.device,
      stats: s.stats,
      verified: s.result?.result === 'ok' ? s.result.verified : null,
    };
  }

  private updateStatus(): void {
    if (this.hideTimer) clearTimeout(this.hideTimer);
    const v = this.view;
    if (!v) return this.status.hide();
    const percent = v.bytesTotal ? Math.floor((v.bytesDone / v.bytesTotal) * 100) : 0;
    if (this.session) {
      this.status.text = `$(sync~spin) Flash ${percent} % · ${v.port}`;
      this.status.tooltip = `Flashing ${v.image} to ${v.port}: ${formatBytes(v.bytesDone)} of ${formatBytes(v.bytesTotal)}. Click to show.`;
      this.status.backgroundColor = undefined;
    } else {
      const icon = v.phase === 'done' ? (v.verified ? '$(pass)' : '$(warning)') : v.phase === 'cancelled' ? '$(circle-slash)' : '$(error)';
      this.status.text = `${icon} Flash ${v.phase === 'done' && !v.verified ? 'sent, not verified' : v.phase}`;
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
      etaSeconds: null, retries: 0, elapsedSeconds: 0, message: null, device: [], stats: [], verified: null,
    };
    return { type: 'init', view, log: this.logLines };
  }

  onPanelMessage(message: PanelMessage): void {
    if (message.type === 'cancel') this.cancel();
    else if (message.type === 'retry' && this.request && !this.session) {
      const again = this.request;
      void this.flash(again).catch((e: unknown) => void vscode.window.showErrorMessage(errorMessage(e)));
    }
  }

  dispose(): void {
    this.session?.cancel('VS Code is closing.');
    if (this.hideTimer) clearTimeout(this.hideTimer);
    this.panel.dispose();
    this.status.dispose();
    this.ended.dispose();
  }
}
