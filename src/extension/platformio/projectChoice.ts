// Which PlatformIO project and environment to build: found in the workspace folders, chosen with a quick pick
// when there are several, and remembered per workspace.
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { OtaError } from '../../core/errors';
import { findPio, findProjects, readEnvironments, type PioLocation, type ProjectEnvironments } from '../../core/platformio';

export interface ProjectTarget {
  projectDir: string;
  env: string;
  environments: ProjectEnvironments;
  pio: PioLocation;
}

export async function locatePio(): Promise<PioLocation> {
  const configuredPath = vscode.workspace.getConfiguration('ota.platformio').get<string>('path', '') || undefined;
  return findPio({ configuredPath, env: process.env, platform: process.platform, homeDir: homedir() });
}

export class ProjectChoice {
  constructor(private readonly state: vscode.Memento) {}

  async projects(): Promise<string[]> {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    return findProjects(folders);
  }

  /** Asks (or remembers) the project and environment. Undefined when the user dismissed a pick. */
  async choose(options: { askEnv?: boolean; projectDir?: string; env?: string } = {}): Promise<ProjectTarget | undefined> {
    const projects = options.projectDir ? [options.projectDir] : await this.projects();
    if (!projects.length) {
      throw new OtaError(
        'not-found',
        vscode.l10n.t('No PlatformIO project in this workspace: open a folder that contains platformio.ini (or one of its parent folders, up to two levels up).'),
      );
    }
    let projectDir = projects[0];
    if (projects.length > 1) {
      const last = this.state.get<string>('ota.lastProject');
      const picked = await vscode.window.showQuickPick(
        projects.map((p) => ({ label: vscode.workspace.asRelativePath(p, true), description: p === last ? vscode.l10n.t('last used') : undefined, dir: p })),
        { title: vscode.l10n.t('Which PlatformIO project?') },
      );
      if (!picked) return undefined;
      projectDir = picked.dir;
    }
    const pio = await locatePio();
    const environments = await readEnvironments(projectDir, pio.path);
    const names = environments.environments.map((e) => e.name);
    const key = `ota.env:${projectDir}`;
    let env = options.env ?? (options.askEnv ? undefined : this.state.get<string>(key));
    if (env && !names.includes(env)) {
      if (options.env) throw new OtaError('invalid-input', vscode.l10n.t('platformio.ini has no environment "{0}"; it has: {1}.', env, names.join(', ')));
      env = undefined;
    }
    if (!env) {
      if (names.length === 1) env = names[0];
      else {
        const ordered = [...environments.defaultEnvs, ...names.filter((n) => !environments.defaultEnvs.includes(n))];
        const picked = await vscode.window.showQuickPick(
          ordered.map((n) => {
            const e = environments.environments.find((x) => x.name === n);
            return { label: n, description: [e?.board, e?.platform].filter(Boolean).join(' · '), detail: environments.defaultEnvs.includes(n) ? vscode.l10n.t('default environment') : undefined };
          }),
          { title: vscode.l10n.t('Which PlatformIO environment?'), placeHolder: vscode.l10n.t('The choice is remembered for this workspace') },
        );
        if (!picked) return undefined;
        env = picked.label;
      }
    }
    if (!env) return undefined;
    await this.state.update(key, env);
    await this.state.update('ota.lastProject', projectDir);
    return { projectDir, env, environments, pio };
  }
}
