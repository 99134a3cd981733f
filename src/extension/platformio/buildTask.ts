// PlatformIO builds as VS Code tasks of type `ota`: the output in a terminal, compiler diagnostics in the Problems
// view (through the `$ota-gcc` problem matcher), cancellable with the task's Terminate. The pseudo-terminal runs the
// core's runBuild, so the extension knows when the build started and how it ended.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { COMPILER_DIAGNOSTIC_REGEXP, runBuild, type BuildResult } from '../../core/platformio';
import type { Log } from '../common/log';
import { locatePio } from './projectChoice';
import { spokenError } from '../common/spoken';

export const TASK_TYPE = 'ota';
export const PROBLEM_MATCHER = '$ota-gcc';

export interface OtaTaskDefinition extends vscode.TaskDefinition {
  type: 'ota';
  task: 'build';
  /** PlatformIO environment. */
  env: string;
  /** Project folder (absolute, or relative to the workspace folder). */
  project?: string;
}

type Outcome = { result: BuildResult } | { error: unknown };

const diagnosticLine = new RegExp(COMPILER_DIAGNOSTIC_REGEXP);

/** Makes relative paths of compiler diagnostics absolute, so the Problems view finds files in any project. */
function absolutize(line: string, projectDir: string): string {
  const m = diagnosticLine.exec(line);
  if (!m?.[1] || path.isAbsolute(m[1])) return line;
  return path.join(projectDir, m[1]) + line.slice(m[1].length);
}

class BuildTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private readonly abort = new AbortController();

  constructor(
    private readonly projectDir: string,
    private readonly env: string,
    private readonly done: (outcome: Outcome) => void,
    private readonly log: Log,
  ) {}

  open(): void {
    // Start once VS Code has attached the problem matcher to this terminal.
    setImmediate(() => void this.run());
  }

  /**
   * Closes the terminal a moment after the last output: VS Code matches problems in the terminal's data as it is
   * processed, and closing at once can end the matching before the last lines were seen.
   */
  private closeSoon(code: number): void {
    setTimeout(() => this.closeEmitter.fire(code), 300);
  }

  close(): void {
    this.abort.abort();
  }

  private write(text: string): void {
    this.writeEmitter.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  private async run(): Promise<void> {
    try {
      const pio = await locatePio();
      this.log.info(`Building environment ${this.env} of ${this.projectDir} with ${pio.path}`);
      this.write(`> ${pio.path} run -e ${this.env} -d ${this.projectDir}\n`);
      const result = await runBuild({
        pio: pio.path,
        projectDir: this.projectDir,
        env: this.env,
        signal: this.abort.signal,
        onOutput: (line) => this.write(`${absolutize(line, this.projectDir)}\n`),
      });
      this.write(result.succeeded ? `\n\x1b[32m${vscode.l10n.t('Build of {0} succeeded.', this.env)}\x1b[0m\n` : `\n\x1b[31m${vscode.l10n.t('Build of {0} failed.', this.env)}\x1b[0m\n`);
      this.log.info(`Build of ${this.env} ${result.succeeded ? 'succeeded' : `failed (exit ${String(result.exitCode)}, ${result.diagnostics.length} diagnostics)`}`);
      this.done({ result });
      this.closeSoon(result.exitCode ?? 1);
    } catch (e) {
      this.write(`\n\x1b[31m${spokenError(e)}\x1b[0m\n`);
      this.log.warn(`Build of ${this.env}: ${errorMessage(e)}`);
      this.done({ error: e });
      this.closeSoon(1);
    }
  }
}

export class BuildTasks implements vscode.TaskProvider, vscode.Disposable {
  private readonly waiting = new Map<string, ((o: Outcome) => void)[]>();

  constructor(private readonly log: Log) {}

  static key(projectDir: string, env: string): string {
    return `${path.resolve(projectDir)}|${env}`;
  }

  /** The task that builds one environment of one project. */
  task(folder: vscode.WorkspaceFolder | vscode.TaskScope, projectDir: string, env: string): vscode.Task {
    const base = typeof folder === 'object' ? folder.uri.fsPath : undefined;
    const project = base ? path.relative(base, projectDir) || '.' : projectDir;
    const definition: OtaTaskDefinition = { type: TASK_TYPE, task: 'build', env, project };
    return this.make(definition, folder, projectDir);
  }

  private make(definition: OtaTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope, projectDir: string): vscode.Task {
    const name = definition.project && definition.project !== '.' ? vscode.l10n.t('Build {0} ({1})', definition.env, definition.project) : vscode.l10n.t('Build {0}', definition.env);
    const task = new vscode.Task(
      definition,
      scope,
      name,
      'OTA',
      new vscode.CustomExecution(() =>
        Promise.resolve(new BuildTerminal(projectDir, definition.env, (o) => this.settle(projectDir, definition.env, o), this.log)),
      ),
      PROBLEM_MATCHER,
    );
    task.group = vscode.TaskGroup.Build;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Silent, clear: true, showReuseMessage: false };
    return task;
  }

  provideTasks(): vscode.Task[] {
    // Builds are offered per environment by the "OTA: Build Firmware" command; tasks.json entries resolve below.
    return [];
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const d = task.definition as Partial<OtaTaskDefinition>;
    if (d.type !== TASK_TYPE || d.task !== 'build' || !d.env) return undefined;
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    const projectDir = d.project && path.isAbsolute(d.project) ? d.project : path.join(folder?.uri.fsPath ?? process.cwd(), d.project ?? '.');
    return this.make(d as OtaTaskDefinition, task.scope ?? vscode.TaskScope.Workspace, projectDir);
  }

  /**
   * Runs the build task and resolves with its result once the task has ended in VS Code too (so the same build can
   * run again at once); rejects when it could not run or was terminated.
   */
  async run(folder: vscode.WorkspaceFolder | vscode.TaskScope, projectDir: string, env: string): Promise<BuildResult> {
    const outcome = new Promise<Outcome>((resolve) => {
      const key = BuildTasks.key(projectDir, env);
      this.waiting.set(key, [...(this.waiting.get(key) ?? []), resolve]);
    });
    // Listen before starting: a fast task may end before executeTask's promise is handled.
    const endedExecutions = new Set<vscode.TaskExecution>();
    let execution: vscode.TaskExecution | undefined;
    let onEnded: (() => void) | undefined;
    const listener = vscode.tasks.onDidEndTask((e) => {
      endedExecutions.add(e.execution);
      if (e.execution === execution) onEnded?.();
    });
    try {
      execution = await vscode.tasks.executeTask(this.task(folder, projectDir, env));
      const started = execution;
      const ended = new Promise<void>((resolve) => {
        onEnded = resolve;
        if (endedExecutions.has(started)) resolve();
      });
      const first = await Promise.race([outcome.then((o) => ({ o })), ended.then(() => undefined)]);
      // Terminated before the terminal reported anything: give it a moment, then call it stopped.
      const o =
        first?.o ??
        (await Promise.race([
          outcome,
          new Promise<Outcome>((resolve) => setTimeout(() => resolve({ error: new Error(vscode.l10n.t('The build of {0} was stopped.', env)) }), 2000)),
        ]));
      await ended;
      if ('error' in o) throw o.error;
      return o.result;
    } finally {
      listener.dispose();
    }
  }

  private settle(projectDir: string, env: string, outcome: Outcome): void {
    const key = BuildTasks.key(projectDir, env);
    const list = this.waiting.get(key) ?? [];
    this.waiting.delete(key);
    for (const resolve of list) resolve(outcome);
  }

  dispose(): void {
    this.waiting.clear();
  }
}
