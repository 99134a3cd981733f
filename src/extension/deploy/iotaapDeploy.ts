// "OTA: Deploy to an IoTaaP Device": builds (or takes) firmware.bin and sends it with the device's token and a
// semantic version. IoTaaP has no job API: the device updates when its version differs from the last one.
import * as vscode from 'vscode';
import { deployToIotaap, type IotaapDeployResult } from '../../core/deploy';
import { validateSemver } from '../../core/cloud/versionRules';
import { resolveVersion } from '../../core/platformio';
import type { CloudModels } from '../cloud/model/cloudModels';
import { need } from '../common/errors';
import type { Platformio } from '../platformio/registerPlatformio';
import { buildFirmware } from '../platformio/buildFirmware';
import type { ProjectTarget } from '../platformio/projectChoice';
import { chooseIotaapAccount } from './accountChoice';
import { spoken } from '../common/spoken';

export interface IotaapDeployArgs {
  accountId?: string;
  device?: string;
  deviceToken?: string;
  version?: string;
  file?: string;
  projectDir?: string;
  env?: string;
}

/** Where SecretStorage keeps a device's token (also read by IoTaaP rollouts). */
export const deviceTokenKey = (accountId: string, device: string): string => `ota.iotaap/${accountId}/device/${device}/token`;

export async function iotaapDeploy(
  secrets: vscode.SecretStorage,
  models: CloudModels,
  pio: Platformio,
  args: IotaapDeployArgs,
): Promise<IotaapDeployResult> {
  const account = await chooseIotaapAccount(models, args.accountId);
  const client = account.client;

  let device = args.device;
  if (!device) {
    const known = await client.listAllDeviceOtas();
    const items = known.map((d) => ({ label: d.device, description: d.version ? `last OTA ${d.version}` : undefined }));
    const picked = need(await vscode.window.showQuickPick([...items, { label: vscode.l10n.t('$(edit) Enter a device id…'), description: undefined }], { title: vscode.l10n.t('Deploy to which device?') }));
    device = picked.label.startsWith('$(') ? need(await vscode.window.showInputBox({ title: vscode.l10n.t('Device id'), validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter the device id')) })).trim() : picked.label;
  }
  let token = args.deviceToken ?? (await secrets.get(deviceTokenKey(account.id, device)));
  if (!token) {
    token = need(await vscode.window.showInputBox({ title: vscode.l10n.t('Device token of {0}', device), prompt: vscode.l10n.t('Kept in SecretStorage for next time'), password: true, validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter the device token')) })).trim();
  }

  let file = args.file;
  let target: ProjectTarget | undefined;
  if (!file) target = need(await pio.choice.choose({ projectDir: args.projectDir, env: args.env }));
  let version = args.version;
  if (!version) {
    const env = target?.environments.environments.find((e) => e.name === target?.env);
    const resolved = target ? await resolveVersion({ buildFlags: env?.buildFlags ?? [], projectDir: target.projectDir }) : undefined;
    version = need(
      await vscode.window.showInputBox({ title: vscode.l10n.t('Firmware version (semantic, e.g. 1.5.7)'), value: resolved?.version ?? '', validateInput: (v) => {
          const problem = validateSemver(v.trim());
          return problem && spoken(problem);
        },
      }),
    ).trim();
  }
  const problem = validateSemver(version);
  if (problem) throw new Error(vscode.l10n.t('Version "{0}": {1}', version, spoken(problem)));

  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('IoTaaP {0}', device), cancellable: true }, async (progress, cancel) => {
    const abort = new AbortController();
    cancel.onCancellationRequested(() => abort.abort());
    if (target && !file) {
      progress.report({ message: vscode.l10n.t('building {0}…', target.env) });
      file = (await buildFirmware(pio.tasks, target)).artifact.path;
    }
    const result = await deployToIotaap(client, { file: file, version: version, device: { id: device, token: token } }, {
      signal: abort.signal,
      onStep: (s) => progress.report({ message: spoken(s.message) }),
    });
    await secrets.store(deviceTokenKey(account.id, device), token);
    models.get(account.id).refresh();
    void vscode.window.showInformationMessage(`${spoken(result.message)}: ${device} ${result.version}. ${spoken(result.note)}`);
    return result;
  });
}

