// Device tokens of an IoTaaP rollout: every deploy (POST /ota/device) needs the device's own token, which never goes
// into the plan or the rollout file. They come from a CSV file of `device,token` lines (the plan's
// deviceTokensFile, or one the CLI is pointed at through OTA_IOTAAP_DEVICE_TOKENS_FILE), or, in the editor, from
// SecretStorage. Messages about a tokens file name its path and line numbers, never a line's content.
import { readFile } from 'node:fs/promises';
import { OtaError } from '../errors';
import { say } from '../sentences';

export interface TokenLookup {
  /** The rollout's deviceTokensFile (absolute), or null when its plan names none. */
  planFile: string | null;
  signal?: AbortSignal;
}

export interface DeviceTokens {
  /** The tokens of those devices this source knows (keys as given in `devices`). */
  lookup(devices: readonly string[], from: TokenLookup): Promise<Map<string, string>>;
  /** Where a missing token can be put, in a few words ("a device,token line in /x/tokens.csv"). */
  where(from: TokenLookup): string;
}

/** The environment variable that names a device-tokens file for the CLI. */
export const DEVICE_TOKENS_ENV = 'OTA_IOTAAP_DEVICE_TOKENS_FILE';

/** Reads `device,token` lines: blank lines, `#` comments and a `device,token` header are skipped; ids compare case-insensitively. */
export async function readDeviceTokensFile(path: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OtaError(
      'invalid-input',
      code === 'ENOENT'
        ? say`The device tokens file ${path} cannot be read: it does not exist.`
        : code
          ? say`The device tokens file ${path} cannot be read (${code}).`
          : say`The device tokens file ${path} cannot be read.`,
      { hint: say`Give a CSV file with one "device,token" line per device.` },
    );
  }
  const out = new Map<string, string>();
  const lineOf = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const comma = line.indexOf(',');
    const device = comma < 0 ? '' : line.slice(0, comma).trim();
    const token = comma < 0 ? '' : line.slice(comma + 1).trim();
    if (device.toLowerCase() === 'device' && token.toLowerCase() === 'token') return;
    if (!device || !token) {
      // The line is not shown: it may hold a token.
      throw new OtaError('invalid-input', say`Line ${i + 1} of the device tokens file ${path} is not a "device,token" line.`);
    }
    const key = device.toLowerCase();
    const before = lineOf.get(key);
    if (before !== undefined && out.get(key) !== token) {
      throw new OtaError('invalid-input', say`The device tokens file ${path} gives the device ${device} two different tokens (lines ${before} and ${i + 1}): keep one.`);
    }
    out.set(key, token);
    lineOf.set(key, i + 1);
  });
  return out;
}

function pick(devices: readonly string[], tokens: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of devices) {
    const t = tokens.get(d.toLowerCase());
    if (t) out.set(d, t);
  }
  return out;
}

/** The rollout's own deviceTokensFile (the plan's), read at every lookup so that edits count at the next step. */
export const planFileTokens: DeviceTokens = {
  async lookup(devices, from) {
    return from.planFile ? pick(devices, await readDeviceTokensFile(from.planFile)) : new Map();
  },
  where: (from) => (from.planFile ? say`a "device,token" line in ${from.planFile} (the plan's deviceTokensFile)` : say`a "deviceTokensFile" in the plan`),
};

/** A tokens file named outside the plan (the CLI's OTA_IOTAAP_DEVICE_TOKENS_FILE). */
export function fileTokens(path: string, named: string): DeviceTokens {
  return {
    lookup: async (devices) => pick(devices, await readDeviceTokensFile(path)),
    where: () => say`a "device,token" line in ${path} (${named})`,
  };
}

/** Each device's token from the first source that has one. */
export function firstTokens(...sources: DeviceTokens[]): DeviceTokens {
  return {
    async lookup(devices, from) {
      const out = new Map<string, string>();
      for (const source of sources) {
        const rest = devices.filter((d) => !out.has(d));
        if (rest.length === 0) break;
        for (const [d, t] of await source.lookup(rest, from)) out.set(d, t);
      }
      return out;
    },
    where: (from) => sources.map((s) => s.where(from)).reduce((all, one, i) => (i === 0 ? one : say`${all}, or ${one}`), ''),
  };
}
