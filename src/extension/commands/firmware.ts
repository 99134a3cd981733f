// Commands on firmware: show every field, copy the download URL, download and verify, delete (refused while a job
// runs), build/upload/deploy (Alibaba-style accounts and the sandbox) and deploy to an IoTaaP device.
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { deleteFirmware, type JobPlan, type RolloutGuard } from '../../core/deploy';
import { downloadWithProgress } from '../cloud/downloadWithProgress';
import { deviceTarget, firmwareTarget, isCloudNode, type FirmwareTarget } from '../cloud/targets';
import { chooseAliyunAccount } from '../deploy/accountChoice';
import type { DeployArgs } from '../deploy/deployService';
import { iotaapDeploy, type IotaapDeployArgs } from '../deploy/iotaapDeploy';
import type { OtaCommand } from './command';
import type { Features } from './features';

const chooseFirmware = (): string => vscode.l10n.t('Choose a firmware package in the OTA Cloud view first.');

/** The firmware the command was run on; else says how to choose one. */
function chosen(arg: unknown): FirmwareTarget | undefined {
  const t = firmwareTarget(arg);
  if (!t) void vscode.window.showInformationMessage(chooseFirmware());
  return t;
}

function argsObject<T extends object>(arg: unknown): T {
  return typeof arg === 'object' && arg !== null && !isCloudNode(arg) ? (arg as T) : ({} as T);
}

export function firmwareCommands({ context, log, cloud, deploy, pio }: Features): OtaCommand[] {
  const model = (t: FirmwareTarget) => cloud.models.get(t.accountId);
  return [
    {
      id: 'ota.firmware.showDetails',
      run: async (arg?: unknown) => {
        const t = chosen(arg);
        if (!t) return undefined;
        const firmware = await model(t).firmwareDetails(t.firmware.id);
        const doc = await vscode.workspace.openTextDocument(cloud.docs.put(t.accountId, firmware));
        await vscode.languages.setTextDocumentLanguage(doc, 'json');
        await vscode.window.showTextDocument(doc, { preview: true });
        return doc.uri.toString();
      },
    },
    {
      id: 'ota.firmware.copyUrl',
      run: async (arg?: unknown) => {
        const t = chosen(arg);
        if (!t) return undefined;
        const firmware = await model(t).firmwareDetails(t.firmware.id);
        if (!firmware.url) {
          void vscode.window.showWarningMessage(vscode.l10n.t('{0} {1} has no download URL.', firmware.name, firmware.version));
          return undefined;
        }
        await vscode.env.clipboard.writeText(firmware.url);
        void vscode.window.showInformationMessage(
          vscode.l10n.t('Copied the download URL of {0} {1}: it is pre-signed and expires, so copy it again later if needed.', firmware.name, firmware.version),
        );
        return firmware.url;
      },
    },
    {
      id: 'ota.firmware.download',
      run: async (arg?: unknown, target?: vscode.Uri) => {
        const t = chosen(arg);
        if (!t) return undefined;
        const f = t.firmware;
        const dest =
          target ??
          (await vscode.window.showSaveDialog({
            title: vscode.l10n.t('Save {0} {1}', f.name, f.version),
            defaultUri: vscode.Uri.joinPath(
              vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir()),
              `${f.name}-${f.version}.bin`.replace(/[^\w.-]+/g, '_'),
            ),
            filters: { [vscode.l10n.t('Firmware image')]: ['bin', 'hex', 'zip', 'gz', 'tar'], [vscode.l10n.t('All files')]: ['*'] },
          }));
        if (!dest) return undefined;
        const result = await downloadWithProgress(
          vscode.l10n.t('Downloading {0} {1}', f.name, f.version),
          (signal) => model(t).firmwareDetails(f.id, { signal }),
          dest.fsPath,
        );
        const checks = result.verified.length ? `verified (${result.verified.join(', ')})` : 'saved (the cloud gave nothing to verify against)';
        log.info(`Downloaded ${f.name} ${f.version} to ${dest.fsPath}: ${result.size} bytes, MD5 ${result.md5}, ${checks}`);
        void vscode.window.showInformationMessage(
          result.verified.length
            ? vscode.l10n.t('{0} {1} verified ({2}): {3}', f.name, f.version, result.verified.join(', '), dest.fsPath)
            : vscode.l10n.t('{0} {1} saved (the cloud gave nothing to verify against): {2}', f.name, f.version, dest.fsPath),
        );
        return result;
      },
    },
    {
      id: 'ota.firmware.delete',
      run: async (arg?: unknown, confirmed?: boolean) => {
        const t = firmwareTarget(arg);
        if (!t) throw new Error(chooseFirmware());
        const f = t.firmware;
        if (confirmed !== true) {
          const del = vscode.l10n.t('Delete');
          const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Delete firmware {0} {1} (ID {2}) from the cloud? This cannot be undone.', f.name, f.version, f.id), { modal: true }, del);
          if (answer !== del) return false;
        }
        await deleteFirmware((await chooseAliyunAccount(cloud.models, t.accountId)).client, f.id);
        log.info(`Deleted firmware ${f.name} ${f.version} (${f.id})`);
        model(t).firmwareChanged();
        return true;
      },
    },
    {
      id: 'ota.firmware.deploy',
      run: (arg?: unknown, args?: { job?: JobPlan; guard?: RolloutGuard }) => {
        const t = firmwareTarget(arg);
        if (!t) throw new Error(chooseFirmware());
        return deploy.deployFirmware(t, args);
      },
    },
    { id: 'ota.firmware.upload', run: (args?: DeployArgs) => deploy.buildUploadDeploy(argsObject<DeployArgs>(args), false) },
    { id: 'ota.deploy.buildUploadDeploy', run: (args?: DeployArgs) => deploy.buildUploadDeploy(argsObject<DeployArgs>(args), true) },
    {
      id: 'ota.iotaap.deploy',
      run: (arg?: unknown) => {
        const device = deviceTarget(arg);
        const args: IotaapDeployArgs = device ? { device: device.device.device, accountId: device.accountId } : argsObject<IotaapDeployArgs>(arg);
        return iotaapDeploy(context.secrets, cloud.models, pio, args);
      },
    },
  ];
}
