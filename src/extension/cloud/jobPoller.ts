// Polls the jobs that move on their own (PLANNED, IN_PROGRESS) while the Cloud view is visible. Each job backs
// off when a poll shows no change (up to a maximum) and starts over fast when it changes; a failing poll backs off
// too and is logged once, never shown as a pop-up.
import type * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { Log } from '../common/log';
import type { CloudNode } from './nodes/node';

interface Watched {
  node: CloudNode & { reload(): Promise<boolean>; readonly moving: boolean };
  delayMs: number;
  timer: NodeJS.Timeout | undefined;
  lastError: string | undefined;
}

export class JobPoller implements vscode.Disposable {
  private readonly watched = new Map<string, Watched>();
  private visible = true;

  constructor(
    private readonly fire: (node: CloudNode) => void,
    private readonly intervals: () => { baseMs: number; maxMs: number },
    private readonly log: Log,
  ) {}

  watch(node: Watched['node']): void {
    const existing = this.watched.get(node.id);
    if (existing) {
      // The tree made a new node for the same job: poll the node it shows now.
      existing.node = node;
      return;
    }
    const w: Watched = { node, delayMs: this.intervals().baseMs, timer: undefined, lastError: undefined };
    this.watched.set(node.id, w);
    this.schedule(w);
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    for (const w of this.watched.values()) {
      if (visible && !w.timer) {
        w.delayMs = this.intervals().baseMs;
        this.schedule(w);
      } else if (!visible && w.timer) {
        clearTimeout(w.timer);
        w.timer = undefined;
      }
    }
  }

  /** How many jobs are being followed (for the status bar and tests). */
  get size(): number {
    return this.watched.size;
  }

  clear(): void {
    for (const w of this.watched.values()) if (w.timer) clearTimeout(w.timer);
    this.watched.clear();
  }

  private schedule(w: Watched): void {
    if (!this.visible) return;
    w.timer = setTimeout(() => void this.poll(w), w.delayMs);
  }

  private async poll(w: Watched): Promise<void> {
    w.timer = undefined;
    const { baseMs, maxMs } = this.intervals();
    try {
      const changed = await w.node.reload();
      w.lastError = undefined;
      w.delayMs = changed ? baseMs : Math.min(maxMs, Math.round(w.delayMs * 1.5));
      if (changed) this.fire(w.node);
    } catch (e) {
      const message = errorMessage(e);
      if (message !== w.lastError) this.log.warn(`Refreshing ${w.node.id} failed: ${message}`);
      w.lastError = message;
      w.delayMs = Math.min(maxMs, w.delayMs * 2);
    }
    if (!this.watched.has(w.node.id)) return;
    if (!w.node.moving) {
      // Finished: one last render shows its final state; no more polling.
      this.watched.delete(w.node.id);
      this.fire(w.node);
      return;
    }
    this.schedule(w);
  }

  dispose(): void {
    this.clear();
  }
}
