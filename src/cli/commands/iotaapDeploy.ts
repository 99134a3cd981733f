// `ota iotaap deploy FILE --version V (--device ID --device-token T | --group ID --group-token T)`: one multipart
// upload to an IoTaaP device or device group, with byte progress; the device updates when the version differs.
import { readFile } from 'node:fs/promises';
import { deployToIotaap, firmwareFileSize } from '../../core/deploy';
import { validateSemver } from '../../core/cloud/versionRules';
import type { CommandContext, CommandSpec } from '../support/command';
import { UsageError } from '../support/io';
import { writeJson } from '../support/json';
import { checked, flag, nonEmptyOption, positionals, requiredOption } from '../support/options';
import { withIotaap } from '../support/connect';
import { StepReporter } from '../support/deployReport';

const TOKEN_ENV = { device: 'IOTAAP_DEVICE_TOKEN', group: 'IOTAAP_GROUP_TOKEN' } as const;

/**
 * The device (or group) token: from --KIND-token, --KIND-token-file (its first line) or the environment variable.
 * A token on the command line shows in `ps` and the shell history; the file and the variable do not.
 */
async function token(ctx: CommandContext, kind: 'device' | 'group'): Promise<string> {
  const flagName = `${kind}-token`;
  const given = nonEmptyOption(ctx, flagName);
  const file = nonEmptyOption(ctx, `${flagName}-file`);
  if (given !== undefined && file !== undefined) throw new UsageError(`give --${flagName} or --${flagName}-file, not both.`);
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read the ${kind} token file ${file}${code === 'ENOENT' ? ': it does not exist' : code === 'EISDIR' ? ': it is a folder' : code ? ` (${code})` : ''}.`);
    }
    const first = text.split(/\r?\n/)[0].trim();
    if (!first) throw new UsageError(`the ${kind} token file ${file} is empty: put the token on its first line.`);
    return first;
  }
  if (given !== undefined) return given;
  const fromEnv = ctx.io.env[TOKEN_ENV[kind]]?.trim();
  if (fromEnv) return fromEnv;
  throw new UsageError(`'ota ${ctx.words.join(' ')}' needs the ${kind} token with --${kind}: set ${TOKEN_ENV[kind]}, or give --${flagName}-file F or --${flagName} T.`);
}

async function target(ctx: CommandContext): Promise<{ device?: { id: string; token: string }; group?: { id: string; token: string } }> {
  const device = nonEmptyOption(ctx, 'device');
  const group = nonEmptyOption(ctx, 'group');
  if (!device === !group) throw new UsageError('deploy to one target: give --device ID with --device-token T, or --group ID with --group-token T.');
  const given = (name: string): boolean => ctx.options[name] !== undefined || ctx.options[`${name}-file`] !== undefined;
  if (device) {
    if (given('group-token')) throw new UsageError('--group-token goes with --group; a device needs --device-token.');
    return { device: { id: device, token: await token(ctx, 'device') } };
  }
  if (given('device-token')) throw new UsageError('--device-token goes with --device; a group needs --group-token.');
  return { group: { id: group!, token: await token(ctx, 'group') } };
}

async function deploy(ctx: CommandContext): Promise<number> {
  const [file] = positionals(ctx, ['FILE']);
  const version = requiredOption(ctx, 'version', '--version V');
  const problem = validateSemver(version);
  if (problem) throw new UsageError(problem);
  const to = await target(ctx);
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
    'device-token': {
      type: 'string',
      usage: '--device-token T',
      description: '...and its device token; better from $IOTAAP_DEVICE_TOKEN or --device-token-file, since a token on the command line shows in ps.',
    },
    'device-token-file': { type: 'string', usage: '--device-token-file F', description: 'Read the device token from the first line of this file.' },
    group: { type: 'string', usage: '--group ID', description: 'Or the device group id...' },
    'group-token': {
      type: 'string',
      usage: '--group-token T',
      description: '...and the token to deploy to it with (or $IOTAAP_GROUP_TOKEN, or --group-token-file).',
    },
    'group-token-file': { type: 'string', usage: '--group-token-file F', description: 'Read the group token from the first line of this file.' },
  },
  run: deploy,
};
