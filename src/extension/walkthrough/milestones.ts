// What a user has done with the product, for the Getting Started walkthrough: each milestone is a context key
// (`ota.did.<name>`) that the walkthrough's completionEvents wait for, remembered across windows and restarts.
import * as vscode from 'vscode';

export type Milestone = 'seeSandbox' | 'connectAccount' | 'deploy' | 'flash';

const MILESTONES: readonly Milestone[] = ['seeSandbox', 'connectAccount', 'deploy', 'flash'];

export const WALKTHROUGH_ID = 'otaworks.firmware-ota#ota.gettingStarted';

export class Milestones {
  constructor(private readonly state: vscode.Memento) {
    for (const name of MILESTONES) {
      if (this.state.get<boolean>(key(name))) void this.publish(name);
    }
  }

  has(name: Milestone): boolean {
    return this.state.get<boolean>(key(name)) === true;
  }

  /** Marks a milestone reached (once and for all). */
  async reach(name: Milestone): Promise<void> {
    if (!this.has(name)) await this.state.update(key(name), true);
    await this.publish(name);
  }

  /**
   * Opens the walkthrough with the milestones reached so far shown as done. VS Code's walkthrough service starts
   * with the first walkthrough opened, and a step whose context key is already true then is never marked done:
   * so the keys are false while it starts, and true again once it shows the walkthrough.
   */
  async openWalkthrough(): Promise<void> {
    const reached = MILESTONES.filter((m) => this.has(m));
    for (const m of reached) await vscode.commands.executeCommand('setContext', key(m), false);
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
    await new Promise((r) => setTimeout(r, 500));
    for (const m of reached) await this.publish(m);
  }

  private async publish(name: Milestone): Promise<void> {
    await vscode.commands.executeCommand('setContext', key(name), true);
  }
}

function key(name: Milestone): string {
  return `ota.did.${name}`;
}
