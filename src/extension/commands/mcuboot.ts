// Commands for boards with MCUboot and an mcumgr SMP server, on a port of the Serial view (or one picked, or a path
// given by a test or another extension): echo, reset, image state.
import * as vscode from 'vscode';
import { smpEcho, smpImageState, smpReset } from '../../core/serial/protocols/mcuboot/smpCommands';
import { runSmpCommand } from '../serial/mcubootCommands';
import { portPath } from '../serial/targets';
import type { OtaCommand } from './command';
import type { Features } from './features';

export function mcubootCommands({ context, log, serial }: Features): OtaCommand[] {
  const port = (arg: unknown): string | undefined => portPath(arg) ?? (typeof arg === 'string' && arg ? arg : undefined);
  const run = (arg: unknown, title: string, command: Parameters<typeof runSmpCommand>[5]) => runSmpCommand(serial, context.workspaceState, log, port(arg), title, command);
  return [
    { id: 'ota.mcuboot.echo', run: (arg?: unknown) => run(arg, vscode.l10n.t('SMP echo'), (link, signal) => smpEcho(link, 'hello from OTA', signal)) },
    { id: 'ota.mcuboot.reset', run: (arg?: unknown) => run(arg, vscode.l10n.t('SMP reset'), smpReset) },
    { id: 'ota.mcuboot.imageState', run: (arg?: unknown) => run(arg, vscode.l10n.t('MCUboot image state'), smpImageState) },
  ];
}
