// Microsoft's Serial Monitor extension (ms-vscode.vscode-serial-monitor), through its public API (version 0):
// when it holds the port we want, we offer to stop its monitor and start it again after the flash.
import * as vscode from 'vscode';

export const SERIAL_MONITOR_ID = 'ms-vscode.vscode-serial-monitor';

/** The part of the Serial Monitor API (v0) used here. */
interface SerialMonitorApi {
  startMonitoringPort(settings: {
    port: string;
    baudRate: number;
    lineEnding: 'none';
    dataBits: 8;
    stopBits: 'one';
    parity: 'none';
  }): Promise<unknown>;
  stopMonitoringPort(portName: string): Promise<unknown>;
}

interface SerialMonitorExports {
  getApi(version: 0, context: vscode.ExtensionContext): SerialMonitorApi | Promise<SerialMonitorApi | undefined> | undefined;
}

export class SerialMonitorBridge {
  constructor(private readonly context: vscode.ExtensionContext) {}

  get installed(): boolean {
    return vscode.extensions.getExtension(SERIAL_MONITOR_ID) !== undefined;
  }

  private async api(): Promise<SerialMonitorApi | undefined> {
    const ext = vscode.extensions.getExtension<SerialMonitorExports>(SERIAL_MONITOR_ID);
    if (!ext) return undefined;
    const exports = ext.isActive ? ext.exports : await ext.activate();
    if (typeof exports?.getApi !== 'function') return undefined;
    return (await exports.getApi(0, this.context)) ?? undefined;
  }

  /**
   * Asks whether to stop the Serial Monitor on `port`; stops it when the user agrees. Returns a function that starts
   * the monitor again, or undefined when nothing was stopped.
   */
  async offerToStop(port: string, monitorBaud: number): Promise<(() => Promise<void>) | undefined> {
    const mode = vscode.workspace.getConfiguration('ota.serial').get<'ask' | 'always' | 'never'>('stopSerialMonitor', 'ask');
    if (mode === 'never') return undefined;
    const api = await this.api();
    if (!api) return undefined;
    if (mode === 'ask') {
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('{0} is busy, probably because the Serial Monitor is open on it. Stop the monitor while flashing and start it again afterwards?', port),
        vscode.l10n.t('Stop Monitor and Flash'),
      );
      if (!answer) return undefined;
    }
    await api.stopMonitoringPort(port);
    return async () => {
      await api.startMonitoringPort({ port, baudRate: monitorBaud, lineEnding: 'none', dataBits: 8, stopBits: 'one', parity: 'none' });
    };
  }
}
