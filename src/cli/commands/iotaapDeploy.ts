// `ota iotaap deploy FILE --version V (--device ID --device-token T | --group ID --group-token T)`: one multipart
// upload to an IoTaaP device or device group, with byte progress; the device updates when the version differs.
import { deployToIotaap, firmwareFileSize } from '../../core/deploy';
import { validateSemver } from '../../core/cloud/versionRules';
import type { CommandContext, CommandSpec } from '../support/command';
import { UsageError } from '../support/io';
import { writeJson } from '../support/json';
import { checked, flag, nonEmptyOption, positionals, requiredOption } from '../support/options';
import { withIotaap } from '../support/connect';
import { StepReporter } from '../support/deployReport';

function target(ctx: CommandContext): { device?: { id: string; token: string }; group?: { id: string; token: string } } {
  const device = nonEmptyOption(ctx, 'device');
  const group = nonEmptyOption(ctx, 'group');
  if (!device === !group) throw new UsageError('deploy to one target: give --device ID with --device-token T, or --group ID with --group-token T.');
  if (device) {
    if (ctx.options['group-token'] !== undefined) throw new UsageError('--group-token goes with --group; a device needs --device-token.');
    return { device: { id: device, token: requiredOption(ctx, 'device-token', '--device-token T with --device') } };
  }
  if (ctx.options['device-token'] !== undefined) throw new UsageError('--device-token goes with --device; a group needs --group-token.');
  return { group: { id: group!, token: requiredOption(ctx, 'group-token', '--group-token T with --group') } };
}

async function deploy(ctx: CommandContext): Promise<number> {
  const [file] = positionals(ctx, ['FILE']);
  const version = requiredOption(ctx, 'version', '--version V');
  const problem = validateSemver(version);
  if (problem) throw new UsageError(problem);
  const to = target(ctx);
  await checked(() => firmwareFileSize(file));
  const report = new StepReporter(ctx);
  const result = await withIotaap(ctx, (client) =>
    deployToIotaap(client, { file, version, ...to }, { signal: ctx.signal, onStep: report.onStep, onProgress: report.onProgress }),
  ).finally(() => report.done());
  if (flag(ctx, 'json')) {
    const { target: kind, id, previousVersion, message, willUpdate, note } = result;
    writeJson(ctx.io, { target: kind, id, version, previousVersion, message, willUpdate, note });
  } else {
    ctx.io.stdout.write(`Version ${version} deployed to IoTaaP ${result.target} ${result.id}: ${result.message}.\n${result.note}\n`);
  }
  return 0;
}

export const iotaapDeployCommand: CommandSpec = {
  words: ['iotaap', 'deploy'],
  positionals: 'FILE',
  summary: 'Deploy a firmware image to an IoTaaP device (or device group); it updates when the version differs.',
  options: {
    version: { type: 'string', usage: '--version V', description: 'Semantic version, e.g. 1.4.2.' },
    device: { type: 'string', usage: '--device ID', description: 'The device id (24 hex digits)...' },
    'device-token': { type: 'string', usage: '--device-token T', description: '...and its device token.' },
    group: { type: 'string', usage: '--group ID', description: 'Or the device group id...' },
    'group-token': { type: 'string', usage: '--group-token T', description: '...and the token to deploy to it with.' },
  },
  run: deploy,
};
