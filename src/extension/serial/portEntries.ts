// Adapts the core's serial port listing to the Serial view's entries.
import { listPorts, type ListPortsOptions, type PortInfo } from '../../core/serial/ports';
import type { PortEntry } from './portsTreeProvider';

export function toPortEntry(p: PortInfo): PortEntry {
  const details: string[] = [p.description];
  if (p.manufacturer) details.push(`Manufacturer: ${p.manufacturer}`);
  if (p.serialNumber) details.push(`Serial number: ${p.serialNumber}`);
  if (p.byIdPath) details.push(`Stable path: ${p.byIdPath}`);
  return { path: p.path, label: p.label, details, virtual: p.kind === 'virtual' };
}

export async function listPortEntries(options: { showAll: boolean } & Omit<ListPortsOptions, 'includeAll'>): Promise<PortEntry[]> {
  const { showAll, ...rest } = options;
  const ports = await listPorts({ ...rest, includeAll: showAll });
  return ports.map(toPortEntry);
}
