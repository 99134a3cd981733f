// What a command was invoked on in the Serial view, as plain data: the path of a port row.
import { PortItem } from './portsTreeProvider';

export function portPath(arg: unknown): string | undefined {
  return arg instanceof PortItem ? arg.port.path : undefined;
}

/**
 * The ports a Serial view command was invoked on: with several rows selected, VS Code passes the clicked row and
 * the selection, and all of them are meant (when the clicked one is among them); else the clicked row alone.
 */
export function portPaths(arg: unknown, selected: unknown): string[] | undefined {
  if (!(arg instanceof PortItem)) return undefined;
  const items = Array.isArray(selected) ? selected.filter((s): s is PortItem => s instanceof PortItem) : [];
  const chosen = items.length > 1 && items.includes(arg) ? items : [arg];
  return chosen.map((i) => i.port.path);
}
