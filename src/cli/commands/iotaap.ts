// `ota iotaap list [--search S] [--groups]`: the last OTA of each IoTaaP device (or device group).
import type { DeviceOta } from '../../core/model';
import type { CommandContext, CommandSpec } from '../support/command';
import { plural, text, time } from '../support/format';
import { DEVICE_OTA_KEYS, GROUP_OTA_KEYS, project, writeJson } from '../support/json';
import { flag, stringOption, positionals } from '../support/options';
import { formatTable } from '../support/table';
import { withIotaap } from '../support/connect';

export function deviceOtaTable(otas: readonly DeviceOta[], groups: boolean): string {
  return formatTable(
    [{ header: groups ? 'GROUP' : 'DEVICE' }, { header: 'VERSION' }, { header: 'LAST UPDATED (UTC)' }, { header: 'PATH' }],
    otas.map((o) => [text(groups ? o.group : o.device), text(o.version), time(o.lastUpdated), text(o.path)]),
  );
}

async function list(ctx: CommandContext): Promise<number> {
  positionals(ctx, []);
  const search = stringOption(ctx, 'search')?.trim() || undefined;
  const groups = flag(ctx, 'groups');
  const otas = await withIotaap(ctx, (client) =>
    groups ? client.listAllGroupOtas(search, { signal: ctx.signal }) : client.listAllDeviceOtas(search, { signal: ctx.signal }),
  );
  if (flag(ctx, 'json')) {
    writeJson(ctx.io, otas.map((o) => (groups ? project(o, GROUP_OTA_KEYS) : project(o, DEVICE_OTA_KEYS))));
  } else if (otas.length === 0) {
    ctx.io.stdout.write(`No ${groups ? 'group' : 'device'} OTAs${search ? ` matching '${search}'` : ''}.\n`);
  } else {
    ctx.io.stdout.write(`${deviceOtaTable(otas, groups)}${plural(otas.length, groups ? 'group OTA' : 'device OTA')}\n`);
  }
  return 0;
}

export const iotaapListCommand: CommandSpec = {
  words: ['iotaap', 'list'],
  summary: 'List the last OTA of each IoTaaP device (all pages).',
  options: {
    search: { type: 'string', usage: '--search S', description: 'Only OTAs whose path contains this text.' },
    groups: { type: 'boolean', usage: '--groups', description: 'List the OTAs of device groups instead.' },
  },
  run: list,
};
