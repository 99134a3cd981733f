// `ota ports [--all] [--json]`: the serial ports, with names a person recognises.
import { listPorts, type PortInfo } from '../../core/serial/ports';
import type { CommandContext, CommandSpec } from '../support/command';
import { plural, text } from '../support/format';
import { writeJson } from '../support/json';
import { flag, positionals } from '../support/options';
import { formatTable } from '../support/table';

export function portTable(ports: readonly PortInfo[]): string {
  return formatTable(
    [{ header: 'PATH' }, { header: 'NAME' }, { header: 'VID:PID' }, { header: 'SERIAL NUMBER' }],
    ports.map((p) => [p.path, p.label, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : text(null), text(p.serialNumber)]),
  );
}

async function ports(ctx: CommandContext): Promise<number> {
  positionals(ctx, []);
  const all = flag(ctx, 'all');
  const found = await listPorts({ includeAll: all });
  if (flag(ctx, 'json')) writeJson(ctx.io, found);
  else if (found.length === 0) ctx.io.stdout.write(`No serial ports found${all ? '' : ' (--all lists built-in ports too)'}.\n`);
  else ctx.io.stdout.write(`${portTable(found)}${plural(found.length, 'port')}\n`);
  return 0;
}

export const portsCommand: CommandSpec = {
  words: ['ports'],
  summary: 'List the serial ports (USB-UART adapters and boards) with their names, VID:PID and serial numbers.',
  options: { all: { type: 'boolean', usage: '--all', description: 'Also list built-in serial ports (ttyS*) that have no USB ids.' } },
  run: ports,
};
