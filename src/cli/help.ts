// Help text, generated from the command table so that it never drifts from what the parser accepts.
import { GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from './support/command';

const ENVIRONMENT: readonly [string, string][] = [
  ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'AccessKey id for --provider aliyun.'],
  ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'Its AccessKey secret.'],
  ['ALIBABA_CLOUD_REGION_ID', 'Default region (cn-shanghai when unset).'],
  ['IOTAAP_TOKEN', 'IoTaaP API token for --provider iotaap,'],
  ['IOTAAP_EMAIL, IOTAAP_PASSWORD', 'or the IoTaaP account to log in with.'],
  ['OTA_PIO', 'The PlatformIO executable for ota build and ota deploy (else the PlatformIO IDE\'s copy, else PATH).'],
  ['XDG_DATA_HOME', 'Where the default sandbox data folder lives (firmware-ota/sandbox).'],
];
const ENV_WIDTH = Math.max(...ENVIRONMENT.map(([name]) => name.length));

function optionLines(options: Record<string, OptionSpec>, extra: OptionSpec[] = []): string[] {
  const entries = [...Object.values(options), ...extra];
  const width = Math.max(0, ...entries.map((o) => o.usage.length));
  return entries.map((o) => `  ${o.usage.padEnd(width)}  ${o.description}`);
}

export function generalHelp(commands: readonly CommandSpec[], version: string): string {
  const usages = commands.map((c) => `ota ${[...c.words, c.positionals ?? ''].join(' ').trim()}`);
  const width = Math.max(0, ...usages.map((u) => u.length));
  const lines = [
    `ota ${version}: build, ship and flash firmware over the air (Alibaba Cloud IoT, IoTaaP, local sandbox, serial).`,
    '',
    'Usage: ota <command> [options]',
    '',
    'Commands:',
    ...commands.map((c, i) => `  ${(usages[i] ?? '').padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS, [{ type: 'boolean', usage: '--version', description: 'Print the version.' }]),
    '',
    'Environment (credentials are read from here only):',
    ...ENVIRONMENT.map(([name, text]) => `  ${name.padEnd(ENV_WIDTH)}  ${text}`),
    '',
    'Exit codes: 0 success, 1 the operation failed, 2 usage or configuration error, 130 cancelled;',
    '  ota rollout: 0 done, 3 running (advance again later), 4 paused (by a person, a gate or for approval), 5 aborted.',
    "Run 'ota <command> --help' for a command's options.",
  ];
  return lines.join('\n') + '\n';
}

export function commandHelp(command: CommandSpec): string {
  const lines = [
    `Usage: ota ${[...command.words, command.positionals ?? ''].join(' ').trim()} [options]`,
    '',
    command.summary,
  ];
  if (command.options && Object.keys(command.options).length) {
    lines.push('', 'Options:', ...optionLines(command.options));
  }
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  return lines.join('\n') + '\n';
}
