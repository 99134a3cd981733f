// Adapts the core's serial port listing to the Serial view's entries, in the display language.
import * as vscode from 'vscode';
import { listPorts, type ListPortsOptions } from '../../core/serial/ports';
import { spoken } from '../common/spoken';
import { virtualPortText } from './coreTexts';
import { toPortEntry, type PortWords } from './portEntry';
import type { PortEntry } from './portsTreeProvider';

const WORDS: PortWords = {
  virtualPort: virtualPortText,
  spoken,
  manufacturer: (name) => vscode.l10n.t('Manufacturer: {0}', name),
  serialNumber: (serial) => vscode.l10n.t('Serial number: {0}', serial),
  stablePath: (path) => vscode.l10n.t('Stable path: {0}', path),
  espBridge: (bridge, usbId) => vscode.l10n.t('{0} USB bridge ({1}): flashed with the ESP ROM loader by default', bridge, usbId),
};

export async function listPortEntries(options: { showAll: boolean } & Omit<ListPortsOptions, 'includeAll'>): Promise<PortEntry[]> {
  const { showAll, ...rest } = options;
  const ports = await listPorts({ ...rest, includeAll: showAll });
  return ports.map((p) => toPortEntry(p, WORDS));
}
