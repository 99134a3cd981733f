// A port of the core's listing as the Serial view shows it: its label, the details of its tooltip, and what its USB
// id says (an ESP board's bridge). No vscode here: the words come in, translated by the caller (portEntries.ts).
import type { PortInfo } from '../../core/serial/ports';
import { espBridgeName } from '../../core/serial/protocols/esp/chips';
import type { PortEntry } from './portsTreeProvider';

/** The words of a port's entry, in the display language. */
export interface PortWords {
  /** A simulated device's label and description. */
  virtualPort(p: PortInfo): { label: string; description: string };
  /** A sentence of the core (a port's kind, "USB serial port"). */
  spoken(text: string): string;
  manufacturer(name: string): string;
  serialNumber(serial: string): string;
  stablePath(path: string): string;
  espBridge(bridge: string, usbId: string): string;
}

export function toPortEntry(p: PortInfo, words: PortWords): PortEntry {
  const shown = p.kind === 'virtual' ? words.virtualPort(p) : { label: words.spoken(p.label), description: words.spoken(p.description) };
  const details: string[] = [shown.description];
  if (p.manufacturer) details.push(words.manufacturer(p.manufacturer));
  if (p.serialNumber) details.push(words.serialNumber(p.serialNumber));
  if (p.byIdPath) details.push(words.stablePath(p.byIdPath));
  const usbId = p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : null;
  const espBridge = espBridgeName(p.vendorId, p.productId);
  if (espBridge) details.push(words.espBridge(espBridge, usbId ?? ''));
  return { path: p.path, label: shown.label, details, virtual: p.kind === 'virtual', usbId, espBridge };
}
