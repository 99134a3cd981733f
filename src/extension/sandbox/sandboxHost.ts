// Runs the local sandbox (an emulation of Alibaba Cloud IoT OTA, OSS and IoTaaP) inside the extension host, started
// on first use, its state kept in the extension's global storage so it survives restarts.
import * as vscode from 'vscode';
import { startSandbox, type Sandbox } from '../../core/cloud/sandbox';
import type { Log } from '../common/log';

export class SandboxHost implements vscode.Disposable {
  private starting: Promise<Sandbox> | undefined;
  /** A stop in progress: the next start waits for it (the data folder is locked by one sandbox at a time). */
  private stopping: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: vscode.Uri,
    private readonly log: Log,
  ) {}

  /** The running sandbox, started if needed. */
  get(): Promise<Sandbox> {
    if (!this.starting) {
      const config = vscode.workspace.getConfiguration('ota.sandbox');
      const dataDir = vscode.Uri.joinPath(this.storage, 'sandbox').fsPath;
      const start = () => startSandbox({
        dataDir,
        port: config.get<number>('port', 0),
        failureRate: config.get<number>('failureRate', 0.1),
        tickMs: config.get<number>('simulationIntervalMs', 1000),
        log: (level, message) => (level === 'error' || level === 'warn' ? this.log.warn(`sandbox: ${message}`) : this.log.debug(`sandbox: ${message}`)),
      });
      this.starting = this.stopping.then(start).then(
        (sandbox) => {
          this.log.info(`Sandbox running at ${sandbox.url} (data in ${dataDir})`);
          return sandbox;
        },
        (e: unknown) => {
          this.starting = undefined;
          throw e;
        },
      );
    }
    return this.starting;
  }

  /** Stops the sandbox (its state is saved); the next get() starts it again. */
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
    void this.stop();
  }
}
