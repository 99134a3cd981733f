// The local sandbox (an emulation of Alibaba Cloud IoT OTA, OSS and IoTaaP) for this window, its state kept in the
// extension's global storage so it survives restarts. Every window shares global storage, so they share one
// sandbox: the first window to need it runs it; the others (and the CLI) join it; when the window running it goes
// away, another one takes over from the saved state (core/cloud/sandbox/shared.ts).
import * as vscode from 'vscode';
import { openSharedSandbox, type Sandbox, type SandboxEndpoint, type SharedSandbox } from '../../core/cloud/sandbox';
import type { Log } from '../common/log';

export class SandboxHost implements vscode.Disposable {
  private starting: Promise<SharedSandbox> | undefined;
  /** A stop in progress: the next start waits for it (the data folder is locked by one sandbox at a time). */
  private stopping: Promise<void> = Promise.resolve();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the sandbox this window uses moved (it took over from a window that went away). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly storage: vscode.Uri,
    private readonly log: Log,
  ) {}

  private shared(): Promise<SharedSandbox> {
    if (!this.starting) {
      const config = vscode.workspace.getConfiguration('ota.sandbox');
      const dataDir = vscode.Uri.joinPath(this.storage, 'sandbox').fsPath;
      const start = () =>
        openSharedSandbox({
          dataDir,
          serve: true,
          port: config.get<number>('port', 0),
          failureRate: config.get<number>('failureRate', 0.1),
          tickMs: config.get<number>('simulationIntervalMs', 1000),
          log: (level, message) => (level === 'error' || level === 'warn' ? this.log.warn(`sandbox: ${message}`) : this.log.debug(`sandbox: ${message}`)),
        });
      this.starting = this.stopping.then(start).then(
        (shared) => {
          this.log.info(
            shared.role === 'owner'
              ? `Sandbox running at ${shared.endpoint.url} (data in ${dataDir})`
              : `Sandbox of another window (or 'ota sandbox') used at ${shared.endpoint.url} (data in ${dataDir})`,
          );
          shared.onTakeover((endpoint) => {
            this.log.info(`The window running the sandbox went away; this window runs it now at ${endpoint.url}`);
            this.changed.fire();
          });
          return shared;
        },
        (e: unknown) => {
          this.starting = undefined;
          throw e;
        },
      );
    }
    return this.starting;
  }

  /** Where the sandbox answers (run here, or by another window), started if needed. */
  async endpoint(): Promise<SandboxEndpoint> {
    return (await this.shared()).endpoint;
  }

  /** The sandbox run by this window, started if needed; undefined when another window runs it. */
  async local(): Promise<Sandbox | undefined> {
    return (await this.shared()).sandbox;
  }

  /** The sandbox run by this window (tests drive its simulation); fails when another window runs it. */
  async get(): Promise<Sandbox> {
    const sandbox = await this.local();
    if (!sandbox) throw new Error(vscode.l10n.t('The sandbox runs in another window; this window uses it over its URL.'));
    return sandbox;
  }

  /** Stops the sandbox (its state is saved) or stops using another window's; the next use starts it again. */
  async stop(): Promise<void> {
    const running = this.starting;
    this.starting = undefined;
    const previous = this.stopping;
    this.stopping = (async () => {
      await previous;
      if (running) await (await running.catch(() => undefined))?.close();
    })();
    await this.stopping;
  }

  dispose(): void {
    this.changed.dispose();
    void this.stop();
  }
}
