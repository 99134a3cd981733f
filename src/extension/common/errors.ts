// The extension's typed failures. Commands decide what to show from these types, never from message text
// (commands/command.ts).
import { DeployError } from '../../core/deploy';

/** The user closed a question (Escape, a dismissed pick): the command ends quietly. */
export class Dismissed extends Error {
  constructor() {
    super('dismissed');
    this.name = 'Dismissed';
  }
}

/** The answer to a question, or Dismissed when there is none. */
export function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Dismissed();
  return value;
}

/** A build failed: what to fix is in the Problems view. */
export class BuildFailed extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BuildFailed';
  }
}

/** The actions the error message of a failed command offers. */
export function actionsFor(error: unknown): ('Show Problems')[] {
  const build = error instanceof BuildFailed || (error instanceof DeployError && error.stage === 'build');
  return build ? ['Show Problems'] : [];
}
