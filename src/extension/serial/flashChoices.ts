// The three choices of a flash: the image (the current PlatformIO build by default, or a file), the port
// (remembered per workspace; real, virtual or typed) and the protocol (remembered too).
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FIRMWARE_FILE, findProjects, resolveBuildDir } from '../../core/platformio';
import { FLASH_PROTOCOLS } from '../../core/serial/protocols';
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

function ago(mtime: Date): string {
  const s = Math.max(0, Math.round((Date.now() - mtime.getTime()) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${Math.round(s / 3600)} h ago`;
  return mtime.toLocaleDateString();
}

/** firmware.bin files of the workspace's PlatformIO projects, newest first. */
async function builtImages(): Promise<{ path: string; env: string; project: string; mtime: Date; size: number }[]> {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const found: { path: string; env: string; project: string; mtime: Date; size: number }[] = [];
  for (const project of await findProjects(folders)) {
    const buildDir = await resolveBuildDir(project).catch(() => path.join(project, '.pio', 'build'));
    if (!existsSync(buildDir)) continue;
    for (const env of (await vscode.workspace.fs.readDirectory(vscode.Uri.file(buildDir))).filter(([, t]) => t === vscode.FileType.Directory).map(([n]) => n)) {
      const file = path.join(buildDir, env, FIRMWARE_FILE);
      if (!existsSync(file)) continue;
      const st = statSync(file);
      found.push({ path: file, env, project, mtime: st.mtime, size: st.size });
    }
  }
  return found.sort((a, b) => b.mtime.getTime() - a.mtime.getTime());
}

export async function chooseImage(): Promise<ImageChoice | undefined> {
  const images = await builtImages();
  type Item = vscode.QuickPickItem & { file?: string };
  const items: Item[] = images.map((i) => ({
    label: `$(tools) ${i.env}`,
    description: vscode.workspace.asRelativePath(i.path),
    detail: `PlatformIO build · ${i.size} bytes · built ${ago(i.mtime)}`,
    file: i.path,
  }));
  items.push({ label: '$(file) Choose a file…', description: '.bin, .hex or any image' });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Flash which image?',
    matchOnDescription: true,
    placeHolder: images.length ? 'The newest PlatformIO build is first' : 'No PlatformIO build found in the workspace',
  });
  if (!picked) return undefined;
  let file = picked.file;
  if (!file) {
    const uris = await vscode.window.showOpenDialog({ title: 'Image to flash', canSelectMany: false, openLabel: 'Flash' });
    file = uris?.[0]?.fsPath;
  }
  if (!file) return undefined;
  const fromBuild = images.find((i) => i.path === file);
  const build = fromBuild ? { project: fromBuild.project, env: fromBuild.env } : buildOf(file);
  return { path: file, name: path.basename(file), ...(build ? { build } : {}) };
}

export async function choosePort(ports: PortEntry[], last: string | undefined): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { portPath?: string };
  const sorted = [...ports].sort((a, b) => (a.path === last ? -1 : b.path === last ? 1 : 0));
  const items: Item[] = sorted.map((p) => ({
    label: `$(${p.virtual ? 'vm' : 'plug'}) ${p.label}`,
    description: p.path === last ? `${p.path} · last used` : p.path,
    detail: p.details[0],
    portPath: p.path,
  }));
  items.push({ label: '$(edit) Enter a port path…', description: 'e.g. /dev/ttyUSB0, COM3 or a pseudo-terminal' });
  const picked = await vscode.window.showQuickPick(items, { title: 'Flash to which serial port?', matchOnDescription: true, matchOnDetail: true });
  if (!picked) return undefined;
  if (picked.portPath) return picked.portPath;
  const typed = await vscode.window.showInputBox({
    title: 'Serial port path',
    value: last ?? '',
    prompt: 'The device path of the port',
    validateInput: (v) => (v.trim() ? undefined : 'Enter a port path'),
  });
  return typed?.trim() || undefined;
}

/** `suggested` (what the port looks like, e.g. esp for a CP210x) comes first, else the last one used. */
export async function chooseProtocol(last: string | undefined, suggested?: string): Promise<string | undefined> {
  const first = suggested ?? last;
  const note = (id: string): string => (id === suggested ? `${id} · matches the port` : id === last ? `${id} · last used` : id);
  const items = FLASH_PROTOCOLS.map((p) => ({ label: p.label, description: note(p.id), detail: p.description, id: p.id }));
  items.sort((a, b) => (a.id === first ? -1 : b.id === first ? 1 : 0));
  const picked = await vscode.window.showQuickPick(items, { title: 'Which protocol does the device speak?', matchOnDescription: true });
  return picked?.id;
}
