// Progress on stderr. On a terminal: one line rewritten in place. Otherwise (a log, a CI job): a line each time the
// work crosses another tenth, so that logs stay short. Lines that must stay (phases, warnings) go through line().
import type { CliIO } from './io';

const CLEAR = '\r\u001b[K';

export class ProgressLine {
  /** TTY: the progress text on screen, '' when none. */
  private shown = '';
  private shownFraction = 0;
  private task = '';
  private nextTenth = 1;

  constructor(private readonly out: CliIO['stderr']) {}

  get isTTY(): boolean {
    return this.out.isTTY === true;
  }

  /** `fraction` (0..1) of `task` done; a new task counts its tenths afresh. */
  update(task: string, fraction: number, text: string): void {
    const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
    if (task !== this.task) {
      this.commit();
      this.task = task;
      this.nextTenth = 1;
    }
    if (this.isTTY) {
      if (text === this.shown) return;
      this.out.write(`${CLEAR}${text}`);
      this.shown = text;
      this.shownFraction = f;
      return;
    }
    const tenths = Math.floor(f * 10 + 1e-9);
    if (tenths < this.nextTenth) return;
    this.nextTenth = tenths + 1;
    this.out.write(`${text}\n`);
  }

  /** A line that stays. On a terminal an unfinished progress line makes way (it comes back with the next update). */
  line(text: string): void {
    if (this.shown && this.shownFraction < 1) {
      this.out.write(CLEAR);
      this.shown = '';
    }
    this.commit();
    this.out.write(`${text}\n`);
  }

  /** Leaves the last progress text on screen and moves to a new line (terminal only). */
  commit(): void {
    if (!this.shown) return;
    this.out.write('\n');
    this.shown = '';
  }
}
