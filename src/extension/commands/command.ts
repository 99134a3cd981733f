// One way for a command to end: its result, or, when it throws, one log line in the OTA output channel and one error
// message with the actions that fit the error's type; a dismissed question ends it quietly. Every command of the
// extension is registered through registerCommands, from the one table of ./index.ts.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { spokenError } from '../common/spoken';
import { redact, type Log } from '../common/log';
import { actionsFor, Dismissed } from '../common/errors';

export interface OtaCommand {
  id: string;
  /** Arguments come from menus, keybindings, tests and other extensions: each command checks what it got. */
  run(...args: unknown[]): unknown;
}

const ACTIONS: Record<ReturnType<typeof actionsFor>[number], string> = {
  'Show Problems': 'workbench.actions.view.problems',
};

/** The buttons' words, in the display language. */
const TITLES: Record<ReturnType<typeof actionsFor>[number], () => string> = {
  'Show Problems': () => vscode.l10n.t('Show Problems'),
};

/** An error message the wrapper showed; kept for the integration tests (the test seam, ../testing.ts). */
export interface ShownError {
  command: string;
  message: string;
}

/**
 * Runs a command; a failure is logged and shown once, a dismissal returns undefined without a word. The message
 * shown passes through the log's redaction too: no secret in a notification either.
 */
export async function runCommand(log: Log, command: OtaCommand, args: unknown[], shown?: ShownError[]): Promise<unknown> {
  try {
    return await command.run(...args);
  } catch (e) {
    if (e instanceof Dismissed) return undefined;
    // The log keeps the English (for a bug report); the notification speaks the display language.
    log.error(`${command.id}: ${redact(errorMessage(e))}`);
    const message = redact(spokenError(e));
    shown?.push({ command: command.id, message });
    const actions = actionsFor(e).map((a) => ({ title: TITLES[a](), command: ACTIONS[a] }));
    void vscode.window.showErrorMessage(message, ...actions).then((choice) => {
      if (choice) void vscode.commands.executeCommand(choice.command);
    });
    return undefined;
  }
}

/** `shown`: where to keep the error messages shown (under tests only). */
export function registerCommands(context: vscode.ExtensionContext, log: Log, commands: readonly OtaCommand[], shown?: ShownError[]): void {
  for (const command of commands) {
    context.subscriptions.push(vscode.commands.registerCommand(command.id, (...args: unknown[]) => runCommand(log, command, args, shown)));
  }
}
