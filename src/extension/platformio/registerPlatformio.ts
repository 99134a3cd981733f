// Wires PlatformIO support: the `ota` task type and the build / environment commands.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { Log } from '../common/log';
import { buildFirmware, describeArtifact, type BuiltFirmware } from './buildFirmware';
import { BuildTasks, TASK_TYPE } from './buildTask';
import { ProjectChoice } from './projectChoice';

export interface Platformio {
  tasks: BuildTasks;
  choice: ProjectChoice;
}

export interface BuildArgs {
  projectDir?: string;
  env?: string;
}

export function registerPlatformio(context: vscode.ExtensionContext, log: Log): Platformio {
  const tasks = new BuildTasks(log);
  const choice = new ProjectChoice(context.workspaceState);
  context.subscriptions.push(
    tasks,
    vscode.tasks.registerTaskProvider(TASK_TYPE, tasks),
    vscode.commands.registerCommand('ota.project.selectEnvironment', async () => {
      try {
        const t = await choice.choose({ askEnv: true });
        if (t) void vscode.window.setStatusBarMessage(`OTA: building ${t.env} from now on`, 4000);
        return t?.env;
      } catch (e) {
        void vscode.window.showErrorMessage(errorMessage(e));
        return undefined;
      }
    }),
    vscode.commands.registerCommand('ota.project.build', async (args?: BuildArgs): Promise<BuiltFirmware | undefined> => {
      try {
        const target = await choice.choose({ projectDir: args?.projectDir, env: args?.env });
        if (!target) return undefined;
        log.info(`Build requested: ${target.env} of ${target.projectDir}`);
        const built = await buildFirmware(tasks, target);
        log.info(`Built ${built.artifact.path}`);
        void vscode.window.showInformationMessage(`Built ${describeArtifact(built)}.`);
        return built;
      } catch (e) {
        const message = errorMessage(e);
        log.error(message);
        void vscode.window.showErrorMessage(message, 'Show Problems').then((a) => {
          if (a) void vscode.commands.executeCommand('workbench.actions.view.problems');
        });
        return undefined;
      }
    }),
  );
  return { tasks, choice };
}
