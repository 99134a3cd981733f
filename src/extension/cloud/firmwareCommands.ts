// Firmware actions from the Cloud view: show every field, copy the download URL, download and verify.
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { downloadFirmware } from '../../core/cloud/download';
import { errorMessage } from '../../core/errors';
import type { Log } from '../common/log';
import type { FirmwareDocuments } from './firmwareDocuments';
import { FirmwareNode } from './nodes/firmwareNode';

function requireNode(arg: unknown): FirmwareNode | undefined {
  if (arg instanceof FirmwareNode) return arg;
  void vscode.window.showInformationMessage('Choose a firmware package in the OTA Cloud view first.');
  return undefined;
}

export function registerFirmwareCommands(context: vscode.ExtensionContext, docs: FirmwareDocuments, log: Log): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('ota.firmware.showDetails', async (arg?: unknown) => {
      const node = requireNode(arg);
      if (!node) return undefined;
      const firmware = await node.ota.getFirmware(node.firmware.id);
      const doc = await vscode.workspace.openTextDocument(docs.put(node.accountId, firmware));
      await vscode.languages.setTextDocumentLanguage(doc, 'json');
      await vscode.window.showTextDocument(doc, { preview: true });
      return doc.uri.toString();
    }),
    vscode.commands.registerCommand('ota.firmware.copyUrl', async (arg?: unknown) => {
      const node = requireNode(arg);
      if (!node) return undefined;
      const firmware = await node.ota.getFirmware(node.firmware.id);
      if (!firmware.url) {
        void vscode.window.showWarningMessage(`${firmware.name} ${firmware.version} has no download URL.`);
        return undefined;
      }
      await vscode.env.clipboard.writeText(firmware.url);
      void vscode.window.showInformationMessage(
        `Copied the download URL of ${firmware.name} ${firmware.version}. It is pre-signed and expires; copy it again later if needed.`,
      );
      return firmware.url;
    }),
    vscode.commands.registerCommand('ota.firmware.download', async (arg?: unknown, target?: vscode.Uri) => {
      const node = requireNode(arg);
      if (!node) return undefined;
      const f = node.firmware;
      const dest =
        target ??
        (await vscode.window.showSaveDialog({
          title: `Save ${f.name} ${f.version}`,
          defaultUri: vscode.Uri.joinPath(
            vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir()),
            `${f.name}-${f.version}.bin`.replace(/[^\w.-]+/g, '_'),
          ),
          filters: { 'Firmware image': ['bin', 'hex', 'zip', 'gz', 'tar'], 'All files': ['*'] },
        }));
      if (!dest) return undefined;
      return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Downloading ${f.name} ${f.version}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          let last = 0;
          try {
            const fresh = await node.ota.getFirmware(f.id, { signal: abort.signal });
            const result = await downloadFirmware(fresh, dest.fsPath, {
              signal: abort.signal,
              onProgress: (received, total) => {
                if (!total) return;
                const pct = (received / total) * 100;
                progress.report({ increment: pct - last, message: `${Math.floor(pct)} %` });
                last = pct;
              },
            });
            const checks = result.verified.length ? `verified (${result.verified.join(', ')})` : 'saved (the cloud gave nothing to verify against)';
            log.info(`Downloaded ${f.name} ${f.version} to ${dest.fsPath}: ${result.size} bytes, MD5 ${result.md5}, ${checks}`);
            void vscode.window.showInformationMessage(`${f.name} ${f.version} ${checks}: ${dest.fsPath}`);
            return result;
          } catch (e) {
            log.error(errorMessage(e));
            void vscode.window.showErrorMessage(errorMessage(e));
            return undefined;
          }
        },
      );
    }),
  );
}
