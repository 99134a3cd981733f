// What a command was invoked on in the Serial view, as plain data: the path of a port row.
import { PortItem } from './portsTreeProvider';

export function portPath(arg: unknown): string | undefined {
  return arg instanceof PortItem ? arg.port.path : undefined;
}
