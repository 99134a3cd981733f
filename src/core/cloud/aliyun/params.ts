// Request parameters of the Alibaba RPC API: the common ones, repeated lists (`Name.1`, `Name.2`...), the form
// encoding, and where requests go.
import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { percentEncode, timestamp } from './signer';

export const API_VERSION = '2018-01-20';

export type ParamScalar = string | number | boolean;
/** `undefined`/`null` are left out; a list becomes `Name.1..Name.N`. */
export type ParamValue = ParamScalar | readonly ParamScalar[] | null | undefined;
export type RpcParams = Record<string, ParamValue>;

export function flattenParams(params: RpcParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) (value as readonly ParamScalar[]).forEach((v, i) => (out[`${name}.${i + 1}`] = String(v)));
    else out[name] = String(value);
  }
  return out;
}

export interface CommonParamsInput {
  action: string;
  accessKeyId: string;
  regionId: string;
  nonce: string;
  date?: Date;
}

export function commonParams(input: CommonParamsInput): Record<string, string> {
  return {
    Action: input.action,
    Format: 'JSON',
    Version: API_VERSION,
    AccessKeyId: input.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: input.nonce,
    Timestamp: timestamp(input.date),
    RegionId: input.regionId,
  };
}

/** `name=value&...`, both RFC 3986 encoded, as the form body (or query string) of a signed request. */
export function formEncode(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
}

/** Parse a form body or query string back into parameters (`+` read as a space, like browsers send it). */
export function formDecode(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const [k, v] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    out[decodeURIComponent(k.replace(/\+/g, ' '))] = decodeURIComponent(v.replace(/\+/g, ' '));
  }
  return out;
}

const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;

/** Whether `value` looks like an Alibaba Cloud region id (cn-shanghai, ap-southeast-1...). */
export function isRegionId(value: string): boolean {
  return REGION.test(value);
}

/** The endpoint URL: an override as given (any host, port and path), else `https://iot.<region>.aliyuncs.com/`. */
export function resolveEndpoint(regionId: string, endpoint?: string): URL {
  if (endpoint && endpoint.trim()) {
    let url: URL;
    try {
      url = new URL(endpoint.trim());
    } catch {
      throw new OtaError('invalid-input', say`The endpoint "${endpoint}" is not a valid URL.`, {
        hint: say`Use a URL such as https://iot.cn-shanghai.aliyuncs.com/.`,
      });
    }
    if (url.username || url.password) {
      // Not echoed: it holds a password.
      throw new OtaError('invalid-input', say`The endpoint must not hold a user name or password (user:password@); credentials go in the AccessKey.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new OtaError('invalid-input', say`The endpoint "${endpoint}" must start with https:// or http://.`);
    }
    return url;
  }
  if (!REGION.test(regionId)) {
    throw new OtaError('invalid-input', say`"${regionId}" is not a region id.`, {
      hint: say`Use a region such as cn-shanghai, ap-southeast-1 or eu-central-1.`,
    });
  }
  return new URL(`https://iot.${regionId}.aliyuncs.com/`);
}
