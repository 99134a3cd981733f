// The three choices of a flash: the image (the current PlatformIO build by default, an image file of the
// workspace, a firmware of the cloud, or any file), the port (remembered per workspace; real, virtual or typed) and
// the protocol (what the port looks like, else the last one used).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FIRMWARE_FILE } from '../../core/platformio';
import { FLASH_PROTOCOLS } from '../../core/serial/protocols';
import { cloudImageItem, type CloudImage, type CloudImageSource } from '../images/cloudImages';
import { builtImages, localImageItem, workspaceImageFiles } from '../images/localImages';
import { protocolText } from './coreTexts';
import type { PortEntry } from './portsTreeProvider';

export interface ImageChoice {
  path: string;
  name: string;
  /** Set when the image is a PlatformIO build's firmware.bin (the esp protocol then flashes all its images). */
  build?: { project: string; env: string };
}

/** The project and environment of `<project>/<build dir>/<env>/firmware.bin`, when that is what `file` is. */
export function buildOf(file: string): { project: string; env: string } | undefined {
  if (path.basename(file) !== FIRMWARE_FILE) return undefined;
  const envDir = path.dirname(file);
  for (let dir = path.dirname(envDir), i = 0; i < 3; dir = path.dirname(dir), i++) {
    if (existsSync(path.join(dir, 'platformio.ini'))) return { project: dir, env: path.basename(envDir) };
  }
  return undefined;
}

/** What the image pick returns: a file, or a firmware of the cloud still to be downloaded. */
export type ImagePick = { file: ImageChoice } | { cloud: CloudImage };

type ImageItem = vscode.QuickPickItem & { file?: string; cloud?: CloudImage; browse?: boolean };

/**
 * Asks which image to flash: the workspace's PlatformIO builds and image files at once, then the firmware of the
 * Cloud view's accounts as soon as they are listed, and "Choose a file…". Undefined when dismissed.
 */
export async function chooseImage(cloud?: CloudImageSource): Promise<ImagePick | undefined> {
  const builds = await builtImages();
  const files = await workspaceImageFiles();
  const local: ImageItem[] = [...builds, ...files].map(localImageItem);
  const browse: ImageItem = { label: vscode.l10n.t('$(file) Choose a file…'), description: vscode.l10n.t('.bin, .hex or any image'), browse: true };
  const pick = vscode.window.createQuickPick<ImageItem>();
  pick.title = vscode.l10n.t('Flash which image?');
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.placeholder = builds.length
    ? vscode.l10n.t('The newest PlatformIO build is first')
    : vscode.l10n.t('No PlatformIO build in the workspace: choose an image file or a firmware of the cloud');
  const cloudItems: ImageItem[] = [];
  const render = () => {
    const sep = (label: string): ImageItem => ({ label, kind: vscode.QuickPickItemKind.Separator });
    pick.items = [...local, browse, ...(cloudItems.length ? [sep(vscode.l10n.t('Cloud firmware')), ...cloudItems] : [])];
  };
  render();
  if (cloud) {
    pick.busy = true;
    void cloud().then(
      ({ images, problems }) => {
        for (const c of images) cloudItems.push({ ...cloudImageItem(c), cloud: c });
        for (const p of problems) cloudItems.push({ label: `$(warning) ${p}`, detail: vscode.l10n.t('This account could not be listed; fix it in the Cloud view.') });
        pick.busy = false;
        render();
      },
      () => {
        pick.busy = false;
      },
    );
  }
  const picked = await new Promise<ImageItem | undefined>((resolve) => {
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      if (item && (item.file || item.cloud || item.browse)) {
        resolve(item);
        pick.hide();
      }
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  if (!picked) return undefined;
  if (picked.cloud) return { cloud: picked.cloud };
  let file = picked.file;
  if (!file) {
    const uris = await vscode.window.showOpenDialog({ title: vscode.l10n.t('Image to flash'), canSelectMany: false, openLabel: vscode.l10n.t('Flash') });
    file = uris?.[0]?.fsPath;
  }
  if (!file) return undefined;
  const fromBuild = builds.find((i) => i.path === file);
  const build = fromBuild?.project && fromBuild.env ? { project: fromBuild.project, env: fromBuild.env } : buildOf(file);
  return { file: { path: file, name: path.basename(file), ...(build ? { build } : {}) } };
}

export async function choosePort(ports: PortEntry[], last: string | undefined): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { portPath?: string };
  const sorted = [...ports].sort((a, b) => (a.path === last ? -1 : b.path === last ? 1 : 0));
  const items: Item[] = sorted.map((p) => ({
    label: `$(${p.virtual ? 'vm' : 'plug'}) ${p.label}`,
    description: p.path === last ? vscode.l10n.t('{0} · last used', p.path) : p.path,
    detail: p.details[0],
    portPath: p.path,
  }));
  items.push({ label: vscode.l10n.t('$(edit) Enter a port path…'), description: vscode.l10n.t('e.g. /dev/ttyUSB0, COM3 or a pseudo-terminal') });
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Flash to which serial port?'), matchOnDescription: true, matchOnDetail: true });
  if (!picked) return undefined;
  if (picked.portPath) return picked.portPath;
  const typed = await vscode.window.showInputBox({
    title: vscode.l10n.t('Serial port path'),
    value: last ?? '',
    prompt: vscode.l10n.t('The device path of the port'),
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a port path')),
  });
  return typed?.trim() || undefined;
}

/** The protocol a simulated device speaks ("virtual:ymodem-bootloader" → ymodem): it knows no other. */
export function virtualPortProtocol(port: string): string | undefined {
  const id = /^virtual:([a-z0-9]+)/i.exec(port)?.[1];
  return id && FLASH_PROTOCOLS.some((p) => p.id === id) ? id : undefined;
}

/** `suggested` (what the port looks like, e.g. esp for a CP210x) comes first, else the last one used. */
export async function chooseProtocol(last: string | undefined, suggested?: string): Promise<string | undefined> {
  const first = suggested ?? last;
  const note = (id: string): string =>
    id === suggested ? vscode.l10n.t('{0} · matches the port', id) : id === last ? vscode.l10n.t('{0} · last used', id) : id;
  const items = FLASH_PROTOCOLS.map((p) => {
    const text = protocolText(p);
    return { label: text.label, description: note(p.id), detail: text.description, id: p.id };
  });
  items.sort((a, b) => (a.id === first ? -1 : b.id === first ? 1 : 0));
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Which protocol does the device speak?'), matchOnDescription: true });
  return picked?.id;
}
