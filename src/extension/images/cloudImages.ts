// Firmware of the accounts in the Cloud view (the sandbox included) as images to flash: listed per account, and
// downloaded before use into a temporary folder, checked against the cloud's size and MD5 or SHA-256 sign.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DownloadResult } from '../../core/cloud/download';
import type { Firmware } from '../../core/model';
import { downloadWithProgress } from '../cloud/downloadWithProgress';
import type { CloudModels } from '../cloud/model/cloudModels';
import { firmwareStatusText, firmwareTypeText, formatSize } from '../cloud/format';
import { spokenError } from '../common/spoken';

export interface CloudImage {
  accountLabel: string;
  /** The sandbox's firmware is demo firmware. */
  sandbox: boolean;
  firmware: Firmware;
  /** The firmware's details now (the listing has no download URL, and Alibaba's expire). */
  details(signal?: AbortSignal): Promise<Firmware>;
}

export interface CloudImages {
  images: CloudImage[];
  /** Accounts that could not be listed: "Account: what went wrong". */
  problems: string[];
}

export type CloudImageSource = () => Promise<CloudImages>;

/** The firmware of one account of the Cloud view as an image to flash. */
export function cloudImage(models: CloudModels, accountId: string, firmware: Firmware): CloudImage {
  const entry = models.accounts().accounts.find((a) => a.id === accountId);
  return {
    accountLabel: entry?.kind === 'sandbox' ? vscode.l10n.t('Sandbox') : (entry?.label ?? accountId),
    sandbox: entry?.kind === 'sandbox',
    firmware,
    details: (signal) => models.get(accountId).firmwareDetails(firmware.id, signal ? { signal } : {}),
  };
}

/** Lists the firmware of every account the Cloud view shows, newest first within each account. */
export function cloudImageSource(models: CloudModels): CloudImageSource {
  return async () => {
    const result: CloudImages = { images: [], problems: [] };
    for (const account of models.accounts().accounts) {
      try {
        const model = models.get(account.id);
        const session = await model.session();
        if (session.problem) throw new Error(session.problem);
        if (!session.ota) continue;
        const firmware = [...(await model.firmware())].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
        for (const f of firmware) result.images.push(cloudImage(models, account.id, f));
      } catch (e) {
        result.problems.push(`${account.label}: ${spokenError(e)}`);
      }
    }
    return result;
  };
}

/** How a cloud firmware is shown in the image pick. */
export function cloudImageItem(c: CloudImage): vscode.QuickPickItem {
  const f = c.firmware;
  const type = firmwareTypeText(f);
  const parts = [type, firmwareStatusText(f.status), formatSize(f.size)];
  if (c.sandbox) parts.unshift(vscode.l10n.t('demo firmware of the sandbox'));
  return {
    label: `$(${c.sandbox ? 'beaker' : 'cloud'}) ${f.name} ${f.version}`,
    description: `${c.accountLabel} · ${f.productName ?? f.productKey ?? ''}`,
    detail: parts.join(' · '),
  };
}

export interface DownloadedImage {
  path: string;
  name: string;
  download: DownloadResult;
  /** Removes the temporary copy. */
  dispose(): Promise<void>;
}

/**
 * Downloads a cloud firmware to a temporary folder, checked against the cloud's size and sign; rejects (and keeps
 * nothing) when they do not match. Undefined when the user cancelled, or declined an image that cannot be checked.
 */
export async function downloadCloudImage(c: CloudImage): Promise<DownloadedImage | undefined> {
  const f = c.firmware;
  const dir = await mkdtemp(path.join(tmpdir(), 'ota-flash-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const name = `${f.name}-${f.version}.bin`.replace(/[^\w.-]+/g, '_');
  const file = path.join(dir, name);
  try {
    const download = await downloadWithProgress(vscode.l10n.t('Downloading {0} {1} to flash it', f.name, f.version), (signal) => c.details(signal), file);
    if (!download.verified.some((v) => v === 'MD5' || v === 'SHA-256')) {
      const go = vscode.l10n.t('Flash Anyway');
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('The cloud gives no MD5 or SHA-256 for {0} {1}, so the download cannot be checked. Flash it anyway?', f.name, f.version),
        { modal: true },
        go,
      );
      if (answer !== go) {
        await dispose();
        return undefined;
      }
    }
    return { path: file, name, download, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}
