// What a CLI command is: its words, options and run function, and the options every command takes. The commands
// themselves live in ../commands/, listed in ../commands/index.ts.
import type { CliIO } from './io';

export interface CommandContext {
  io: CliIO;
  /** The command words that chose this command, e.g. ["firmware", "list"]. */
  words: string[];
  /** Positional arguments after the command words. */
  args: string[];
  /** Parsed options (global and the command's own). */
  options: Record<string, string | boolean | (string | boolean)[] | undefined>;
  signal: AbortSignal;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** e.g. "--product-key PK" */
  usage: string;
  description: string;
}

export interface CommandSpec {
  /** Command words, e.g. ["firmware", "list"]. */
  words: string[];
  /** Positional arguments for the usage line, e.g. "FIRMWARE_ID". */
  positionals?: string;
  summary: string;
  options?: Record<string, OptionSpec>;
  run(ctx: CommandContext): Promise<number>;
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', usage: '--help', description: 'Show help for a command.' },
  json: { type: 'boolean', usage: '--json', description: 'Print machine-readable JSON on stdout.' },
  provider: {
    type: 'string',
    usage: '--provider aliyun|iotaap|sandbox',
    description: 'aliyun (default when ALIBABA_CLOUD_ACCESS_KEY_ID is set), iotaap (when IOTAAP_* is set) or the local sandbox.',
  },
  endpoint: {
    type: 'string',
    usage: '--endpoint URL',
    description: 'Alibaba-compatible endpoint (default https://iot.<region>.aliyuncs.com/) or IoTaaP API base URL.',
  },
  region: {
    type: 'string',
    usage: '--region R',
    description: 'Alibaba Cloud region (default $ALIBABA_CLOUD_REGION_ID, else cn-shanghai).',
  },
  'instance-id': {
    type: 'string',
    usage: '--instance-id ID',
    description: 'IoT Platform instance id (Enterprise Edition instances only).',
  },
  data: {
    type: 'string',
    usage: '--data DIR',
    description: 'Sandbox data folder for --provider sandbox and ota sandbox (default ~/.local/share/firmware-ota/sandbox).',
  },
};
