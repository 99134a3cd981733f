// Tree data provider for the Serial view: the serial ports present now, refreshed while the view is visible so a
// board plugged in or out shows up without a click.
import * as vscode from 'vscode';
import type { Log } from '../common/log';
import { escapeMarkdown } from '../common/markdown';

export interface PortEntry {
  path: string;
  /** What a person recognises: "Silicon Labs CP210x (10c4:ea60)". */
  label: string;
  /** Extra detail for the tooltip: serial number, location, manufacturer. */
  details: string[];
  /** A virtual port offered by the sandbox (no hardware). */
  virtual?: boolean;
  /** "10c4:ea60" when the port is a USB device. */
  usbId?: string | null;
  /** The USB bridge an ESP board uses ("CP210x", "Espressif USB"...), when the VID:PID is one of those. */
  espBridge?: string | null;
}

export type PortLister = () => Promise<PortEntry[]>;

export class PortItem extends vscode.TreeItem {
  constructor(readonly port: PortEntry) {
    super(port.label, vscode.TreeItemCollapsibleState.None);
    this.id = `port:${port.path}`;
    this.description = port.espBridge ? `${port.path} · ${port.espBridge} ${port.usbId ?? ''} · ESP`.trim() : port.usbId ? `${port.path} · ${port.usbId}` : port.path;
    this.contextValue = port.virtual ? 'serialPort.virtual' : 'serialPort';
    this.iconPath = new vscode.ThemeIcon(port.virtual ? 'vm' : 'plug');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${escapeMarkdown(port.label)}**\n\n`);
    md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('Path:'))} \`${port.path.replace(/`/g, '')}\`\n\n`);
    for (const d of port.details) md.appendMarkdown(`${escapeMarkdown(d)}\n\n`);
    this.tooltip = md;
  }
}

export class PortsTreeProvider implements vscode.TreeDataProvider<PortItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PortItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private ports: PortEntry[] = [];
  private signature = '';
  private timer: NodeJS.Timeout | undefined;
  private error: string | undefined;

  constructor(
    private readonly lister: PortLister,
    private readonly log: Log,
  ) {}

  /** Polls for port changes every `intervalMs` while the view is visible. */
  setVisible(visible: boolean, intervalMs = 2000): void {
    if (visible && !this.timer) {
      this.timer = setInterval(() => void this.poll(), intervalMs);
      void this.poll();
    } else if (!visible && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  refresh(): void {
    void this.poll(true);
  }

  get current(): readonly PortEntry[] {
    return this.ports;
  }

  private async poll(force = false): Promise<void> {
    try {
      const ports = await this.lister();
      this.error = undefined;
      const sig = JSON.stringify(ports);
      if (force || sig !== this.signature) {
        this.signature = sig;
        this.ports = ports;
        this.changed.fire(undefined);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (message !== this.error) {
        this.error = message;
        this.log.warn(`Serial ports could not be listed: ${message}`);
      }
    }
  }

  getTreeItem(element: PortItem): vscode.TreeItem {
    return element;
  }

  async getChildren(element?: PortItem): Promise<PortItem[]> {
    if (element) return [];
    if (!this.signature) await this.poll();
    return this.ports.map((p) => new PortItem(p));
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.changed.dispose();
  }
}
