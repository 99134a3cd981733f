// The test-only seam: the extension's internals, handed to its integration tests (and nobody else) so that they can
// read the trees and drive the sandbox. Present on the activation result only when the extension runs under tests:
// VS Code's test mode, or OTA_TEST_SEAM=1 (the code-server harness sets it).
import * as vscode from 'vscode';
import type { CloudView } from './cloud/registerCloudView';
import type { ShownError } from './commands/command';
import type { Platformio } from './platformio/registerPlatformio';
import type { RolloutDashboards } from './rollout/rolloutDashboards';
import type { SandboxHost } from './sandbox/sandboxHost';
import type { SerialView } from './serial/registerSerialView';

export const TEST_SEAM_ENV = 'OTA_TEST_SEAM';

export interface OtaTesting {
  cloud: CloudView;
  sandbox: SandboxHost;
  platformio: Platformio;
  serial: SerialView;
  rollouts: RolloutDashboards;
  /** The OTA log's file (what the channel wrote), and the error messages the command wrapper showed. */
  log: { file: vscode.Uri; errorsShown: readonly ShownError[] };
}

export function underTest(context: vscode.ExtensionContext): boolean {
  return context.extensionMode === vscode.ExtensionMode.Test || process.env[TEST_SEAM_ENV] === '1';
}
