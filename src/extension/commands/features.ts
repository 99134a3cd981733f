// What the command modules act through: each feature's service, wired once by activate().
import type * as vscode from 'vscode';
import type { AccountStore } from '../accounts/accountStore';
import type { CloudView } from '../cloud/registerCloudView';
import type { Log } from '../common/log';
import type { DeployService } from '../deploy/deployService';
import type { Platformio } from '../platformio/registerPlatformio';
import type { RolloutDashboards } from '../rollout/rolloutDashboards';
import type { SerialView } from '../serial/registerSerialView';
import type { Milestones } from '../walkthrough/milestones';

export interface Features {
  context: vscode.ExtensionContext;
  log: Log;
  store: AccountStore;
  cloud: CloudView;
  deploy: DeployService;
  pio: Platformio;
  serial: SerialView;
  milestones: Milestones;
  rollouts: RolloutDashboards;
}
