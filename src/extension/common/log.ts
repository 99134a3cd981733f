// The extension's log: one LogOutputChannel ("OTA"). Messages pass through `redact` (the core's, the same every
// error excerpt uses: every spelling of every secret) so that a secret that slipped into an error text from a third
// party is never written out.
import * as vscode from 'vscode';
import { redact as redactSecrets } from '../../core/net/redact';

const secrets = new Set<string>();

/** Registers a value that must never appear in the log (AccessKey secrets, tokens, passwords). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  return redactSecrets(text, secrets);
}

/**
 * The file VS Code writes the channel to: an extension's LogOutputChannel "<name>" goes to `<logUri>/<name>.log`
 * (VS Code 1.100: the extension host's output service, in the extension's own log folder).
 */
export function logFile(context: vscode.ExtensionContext): vscode.Uri {
  return vscode.Uri.joinPath(context.logUri, `${CHANNEL}.log`);
}

const CHANNEL = 'OTA';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel(CHANNEL, { log: true });
  }

  info(message: string): void {
    this.channel.info(redact(message));
  }
  warn(message: string): void {
    this.channel.warn(redact(message));
  }
  error(message: string): void {
    this.channel.error(redact(message));
  }
  debug(message: string): void {
    this.channel.debug(redact(message));
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
