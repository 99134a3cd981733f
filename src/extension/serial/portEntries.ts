// Adapts the core's serial port listing to the Serial view's entries.
import { listPorts, type ListPortsOptions, type PortInfo } from '../../core/serial/ports';
import { espBridgeName } from '../../core/serial/protocols/esp/chips';
import type { PortEntry } from './portsTreeProvider';

export function toPortEntry(p: PortInfo): PortEntry {
  const details: string[] = [p.description];
  if (p.manufacturer) details.push(`Manufacturer: ${p.manufacturer}`);
  if (p.serialNumber) details.push(`Serial number: ${p.serialNumber}`);
  if (p.byIdPath) details.push(`Stable path: ${p.byIdPath}`);
  const usbId = p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : null;
  const espBridge = espBridgeName(p.vendorId, p.productId);
  if (espBridge) details.push(`${espBridge} USB bridge (${usbId}): flashed with the ESP ROM loader by default`);
  return { path: p.path, label: p.label, details, virtual: p.kind === 'virtual', usbId, espBridge };
}

export async function listPortEntries(options: { showAll: boolean } & Omit<ListPortsOptions, 'includeAll'>): Promise<PortEntry[]> {
  const { showAll, ...rest } = options;
  const ports = await listPorts({ ...rest, includeAll: showAll });
  return ports.map(toPortEntry);
}
