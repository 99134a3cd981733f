// A cloud firmware downloaded under a cancellable progress notification: its details fetched fresh (the listing has no
// download URL, and Alibaba's expire), the file checked against the cloud's size and MD5 or SHA-256.
import * as vscode from 'vscode';
import { downloadFirmware, type DownloadResult } from '../../core/cloud/download';
import type { Firmware } from '../../core/model';

export function downloadWithProgress(
  title: string,
  details: (signal: AbortSignal) => Promise<Firmware>,
  dest: string,
): Thenable<DownloadResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const fresh = await details(abort.signal);
    let last = 0;
    return downloadFirmware(fresh, dest, {
      signal: abort.signal,
      onProgress: (received, total) => {
        if (!total) return;
        const pct = (received / total) * 100;
        progress.report({ increment: pct - last, message: `${Math.floor(pct)} %` });
        last = pct;
      },
    });
  });
}
