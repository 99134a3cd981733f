// "OTA: Build Firmware": builds the chosen environment as a task and returns the fresh firmware.bin, refusing a
// missing, empty or stale image.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildFailure, findArtifact, type BuildResult } from '../../core/platformio';
import { BuildFailed } from '../common/errors';
import type { BuildTasks } from './buildTask';
import type { ProjectTarget } from './projectChoice';
import { spokenError } from '../common/spoken';

export interface BuiltFirmware {
  target: ProjectTarget;
  build: BuildResult;
  artifact: { path: string; size: number; mtime: Date };
}

export async function buildFirmware(tasks: BuildTasks, target: ProjectTarget): Promise<BuiltFirmware> {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(target.projectDir)) ?? vscode.TaskScope.Workspace;
  const build = await tasks.run(folder, target.projectDir, target.env);
  if (!build.succeeded) {
    const failure = buildFailure(build);
    throw new BuildFailed(spokenError(failure), { cause: failure });
  }
  const artifact = await findArtifact(target.projectDir, target.env, {
    buildStartedAt: build.startedAt,
    buildDir: target.environments.buildDir,
  });
  return { target, build, artifact };
}

export function describeArtifact(b: BuiltFirmware): string {
  return vscode.l10n.t('{0} ({1} bytes, environment {2})', path.relative(b.target.projectDir, b.artifact.path), b.artifact.size, b.target.env);
}
