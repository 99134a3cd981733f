// Commands of the Getting Started walkthrough: open it (with the steps done so far checked), show the Sandbox.
import * as vscode from 'vscode';
import type { OtaCommand } from './command';
import type { Features } from './features';

export function walkthroughCommands({ store, milestones }: Features): OtaCommand[] {
  return [
    { id: 'ota.walkthrough.open', run: () => milestones.openWalkthrough() },
    {
      id: 'ota.walkthrough.showSandbox',
      run: async () => {
        const config = vscode.workspace.getConfiguration('ota.sandbox');
        const shown = config.get<string>('show', 'whenNoAccount');
        if (shown === 'never' || (shown === 'whenNoAccount' && store.list().accounts.length > 0)) {
          await config.update('show', 'always', vscode.ConfigurationTarget.Global);
        }
        await vscode.commands.executeCommand('ota.cloud.focus');
      },
    },
  ];
}
