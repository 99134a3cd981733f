// Wires the Getting Started walkthrough's milestones, which its steps wait for: the Cloud view seen with the
// Sandbox; a real account connected; a deploy and a flash that ended well. The commands that open the walkthrough
// and show the Sandbox are in ../commands/walkthrough.ts.
import type * as vscode from 'vscode';
import type { AccountStore } from '../accounts/accountStore';
import type { CloudView } from '../cloud/registerCloudView';
import type { DeployService } from '../deploy/deployService';
import type { FlashController } from '../serial/flashController';
import { Milestones } from './milestones';

export function registerWalkthrough(
  context: vscode.ExtensionContext,
  store: AccountStore,
  cloud: CloudView,
  deploy: DeployService,
  flashes: FlashController,
): Milestones {
  const milestones = new Milestones(context.globalState);
  const checkSandbox = () => {
    if (cloud.view.visible && cloud.models.accounts().accounts.some((a) => a.kind === 'sandbox')) void milestones.reach('seeSandbox');
  };
  checkSandbox();
  const checkAccounts = () => {
    if (store.list().accounts.length > 0) void milestones.reach('connectAccount');
  };
  checkAccounts();
  context.subscriptions.push(
    store.onDidChange(checkAccounts),
    cloud.view.onDidChangeVisibility(checkSandbox),
    deploy.onDidDeploy(() => void milestones.reach('deploy')),
    flashes.onDidEnd((r) => {
      if (r.result === 'ok') void milestones.reach('flash');
    }),
  );
  return milestones;
}
