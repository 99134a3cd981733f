// Read-only documents with every field of a firmware package (`ota-firmware:` URIs), opened by "Show Details".
import * as vscode from 'vscode';
import type { Firmware } from '../../core/model';

export const FIRMWARE_SCHEME = 'ota-firmware';

export class FirmwareDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** Stores the firmware's details and returns the URI that shows them. */
  put(accountId: string, firmware: Firmware): vscode.Uri {
    const name = `${firmware.name}-${firmware.version}`.replace(/[^\w.-]+/g, '_');
    const uri = vscode.Uri.from({ scheme: FIRMWARE_SCHEME, path: `/${accountId}/${firmware.id}/${name}.json` });
    const { url, ...rest } = firmware;
    // The pre-signed URL carries a temporary signature; it is shown without its query.
    const shown = { ...rest, url: url ? url.split('?')[0] : null };
    this.docs.set(uri.toString(), JSON.stringify(shown, null, 2) + '\n');
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? `// ${vscode.l10n.t('These details are no longer available: open them again from the Cloud view.')}\n`;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
