// Image files in the workspace a user may deploy or flash without building: PlatformIO builds (.pio/build/ENV/
// firmware.bin) and other .bin/.hex files, newest first, each telling whether it is a demo image.
import { existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEMO_IMAGE_HEADER, isDemoImage } from '../../core/demo/demoImage';
import { FIRMWARE_FILE, findProjects, resolveBuildDir } from '../../core/platformio';

export interface LocalImage {
  path: string;
  size: number;
  mtime: Date;
  /** The PlatformIO environment it was built for, for a build. */
  env?: string;
  /** The PlatformIO project folder, for a build. */
  project?: string;
  /** A demo image (its bytes say so), not a program. */
  demo: boolean;
}

/** Whether the file at `file` starts with the demo image header. */
export async function isDemoFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(Buffer.byteLength(DEMO_IMAGE_HEADER));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return isDemoImage(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

export function ago(mtime: Date): string {
  const s = Math.max(0, Math.round((Date.now() - mtime.getTime()) / 1000));
  if (s < 90) return vscode.l10n.t('{0} s ago', s);
  if (s < 5400) return vscode.l10n.t('{0} min ago', Math.round(s / 60));
  if (s < 129600) return vscode.l10n.t('{0} h ago', Math.round(s / 3600));
  return mtime.toLocaleDateString(vscode.env.language);
}

async function describe(file: string, build?: { env: string; project: string }): Promise<LocalImage> {
  const st = statSync(file);
  return { path: file, size: st.size, mtime: st.mtime, demo: await isDemoFile(file), ...build };
}

/** firmware.bin files of the workspace's PlatformIO projects, newest first. */
export async function builtImages(): Promise<LocalImage[]> {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const found: LocalImage[] = [];
  for (const project of await findProjects(folders)) {
    const buildDir = await resolveBuildDir(project).catch(() => path.join(project, '.pio', 'build'));
    if (!existsSync(buildDir)) continue;
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.file(buildDir));
    for (const env of entries.filter(([, t]) => t === vscode.FileType.Directory).map(([n]) => n)) {
      const file = path.join(buildDir, env, FIRMWARE_FILE);
      if (existsSync(file)) found.push(await describe(file, { env, project }));
    }
  }
  return found.sort((a, b) => b.mtime.getTime() - a.mtime.getTime());
}

/** Other .bin and .hex files of the workspace (not in .pio, node_modules or .git), newest first. */
export async function workspaceImageFiles(max = 30): Promise<LocalImage[]> {
  const uris = await vscode.workspace.findFiles('**/*.{bin,hex}', '{**/.pio/**,**/node_modules/**,**/.git/**}', max);
  const found = await Promise.all(uris.map((u) => describe(u.fsPath)));
  return found.sort((a, b) => b.mtime.getTime() - a.mtime.getTime());
}

/** How an image is shown in a quick pick: the demo ones say so. */
export function localImageItem(i: LocalImage): vscode.QuickPickItem & { file: string } {
  const size = vscode.l10n.t('{0} bytes', i.size);
  if (i.env) {
    return {
      label: `$(tools) ${i.env}`,
      description: vscode.workspace.asRelativePath(i.path),
      detail: vscode.l10n.t('PlatformIO build · {0} · built {1}', size, ago(i.mtime)),
      file: i.path,
    };
  }
  return {
    label: `$(${i.demo ? 'beaker' : 'file-binary'}) ${path.basename(i.path)}`,
    description: vscode.workspace.asRelativePath(i.path),
    detail: i.demo
      ? vscode.l10n.t('Demo image (not a program: it shows what a deploy or a flash does) · {0}', size)
      : vscode.l10n.t('Image file · {0} · changed {1}', size, ago(i.mtime)),
    file: i.path,
  };
}

/** Asks for an image file to upload: the workspace's images, or any file. Undefined when dismissed. */
export async function chooseImageFile(title: string): Promise<string | undefined> {
  const images = [...(await builtImages()), ...(await workspaceImageFiles())];
  type Item = vscode.QuickPickItem & { file?: string };
  const items: Item[] = images.map(localImageItem);
  items.push({ label: vscode.l10n.t('$(file) Choose a file…'), description: vscode.l10n.t('.bin, .hex or any image') });
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
  if (!picked) return undefined;
  if (picked.file) return picked.file;
  const uris = await vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: vscode.l10n.t('Choose') });
  return uris?.[0]?.fsPath;
}
