// Wires PlatformIO support: the `ota` task type, the build tasks and the project/environment choice. The build
// commands are in ../commands/build.ts.
import * as vscode from 'vscode';
import type { Log } from '../common/log';
import { BuildTasks, TASK_TYPE } from './buildTask';
import { ProjectChoice } from './projectChoice';

export interface Platformio {
  tasks: BuildTasks;
  choice: ProjectChoice;
}

export function registerPlatformio(context: vscode.ExtensionContext, log: Log): Platformio {
  const tasks = new BuildTasks(log);
  const choice = new ProjectChoice(context.workspaceState);
  context.subscriptions.push(tasks, vscode.tasks.registerTaskProvider(TASK_TYPE, tasks));
  return { tasks, choice };
}
