// `ota firmware list` and `ota firmware show ID`.
import type { Firmware } from '../../core/model';
import type { CommandContext, CommandSpec } from '../support/command';
import { NONE, plural, size, text, time, words } from '../support/format';
import { firmwareJson, writeJson } from '../support/json';
import { flag, nonEmptyOption, positionals } from '../support/options';
import { formatFields, formatTable } from '../support/table';
import { withOtaService } from '../support/connect';

function typeText(f: Firmware): string {
  return f.type === 'delta' && f.srcVersion ? `delta from ${f.srcVersion}` : words(f.type);
}

export function firmwareTable(list: readonly Firmware[]): string {
  return formatTable(
    [
      { header: 'ID' },
      { header: 'PRODUCT' },
      { header: 'NAME' },
      { header: 'VERSION' },
      { header: 'TYPE' },
      { header: 'STATUS' },
      { header: 'SIZE', align: 'right' },
      { header: 'CREATED (UTC)' },
    ],
    list.map((f) => [
      f.id,
      text(f.productKey),
      text(f.name),
      text(f.version),
      typeText(f),
      words(f.status),
      size(f.size),
      time(f.createdAt),
    ]),
  );
}

export function firmwareDetails(f: Firmware): string {
  const product = f.productKey ? `${f.productKey}${f.productName ? ` (${f.productName})` : ''}` : text(f.productName);
  const fields: [string, string][] = [
    ['ID', f.id],
    ['Name', text(f.name)],
    ['Version', text(f.version)],
    ['Type', typeText(f)],
    ['Status', words(f.status)],
  ];
  if (f.verifyProgress !== undefined && f.verifyProgress !== null) fields.push(['Verification', `${f.verifyProgress} %`]);
  fields.push(
    ['Size', f.size === null ? NONE : `${f.size} bytes (${size(f.size)})`],
    ['Signature', f.sign ? `${f.signMethod ?? '?'} ${f.sign}` : NONE],
    ['Product', product],
    ['Module', text(f.moduleName)],
    ['Description', text(f.description)],
  );
  if (f.udi !== undefined && f.udi !== null) fields.push(['Custom info', f.udi]);
  fields.push(['Created (UTC)', time(f.createdAt)], ['Modified (UTC)', time(f.modifiedAt)], ['URL', text(f.url)]);
  return formatFields(fields);
}

async function list(ctx: CommandContext): Promise<number> {
  positionals(ctx, []);
  const productKey = nonEmptyOption(ctx, 'product-key');
  const destVersion = nonEmptyOption(ctx, 'dest-version');
  const firmware = await withOtaService(ctx, (ota) => ota.listFirmware({ productKey, destVersion, signal: ctx.signal }));
  if (flag(ctx, 'json')) writeJson(ctx.io, firmware.map(firmwareJson));
  else if (firmware.length === 0) ctx.io.stdout.write('No firmware packages.\n');
  else ctx.io.stdout.write(`${firmwareTable(firmware)}${plural(firmware.length, 'firmware package')}\n`);
  return 0;
}

async function show(ctx: CommandContext): Promise<number> {
  const [id] = positionals(ctx, ['FIRMWARE_ID']);
  const firmware = await withOtaService(ctx, (ota) => ota.getFirmware(id, { signal: ctx.signal }));
  if (flag(ctx, 'json')) writeJson(ctx.io, firmwareJson(firmware));
  else ctx.io.stdout.write(firmwareDetails(firmware));
  return 0;
}

export const firmwareListCommand: CommandSpec = {
  words: ['firmware', 'list'],
  summary: 'List every firmware package (all pages).',
  options: {
    'product-key': { type: 'string', usage: '--product-key PK', description: 'Only the firmware of this product.' },
    'dest-version': { type: 'string', usage: '--dest-version V', description: 'Only firmware of this version.' },
  },
  run: list,
};

export const firmwareShowCommand: CommandSpec = {
  words: ['firmware', 'show'],
  positionals: 'FIRMWARE_ID',
  summary: 'Show every field of one firmware package, its download URL included.',
  run: show,
};
