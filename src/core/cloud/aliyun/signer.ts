// Alibaba Cloud RPC signature, SignatureVersion 1.0 (HMAC-SHA1), as the official SDKs compute it.
import { hmac } from '@noble/hashes/hmac';
import { sha1 } from '@noble/hashes/legacy';
import { utf8ToBytes } from '@noble/hashes/utils';
import { timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding: only A-Z a-z 0-9 - _ . ~ stay; `encodeURIComponent` leaves ! ' ( ) * alone. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Sort by name in byte (code unit) order and join `name=value` pairs, both percent-encoded. */
export function canonicalizedQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
}

export function stringToSign(method: string, params: Record<string, string>): string {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalizedQuery(params))}`;
}

export function sign(method: string, params: Record<string, string>, accessKeySecret: string): string {
  const mac = hmac(sha1, utf8ToBytes(accessKeySecret + '&'), utf8ToBytes(stringToSign(method, params)));
  return Buffer.from(mac).toString('base64');
}

/** `YYYY-MM-DDThh:mm:ssZ`, the timestamp format the API accepts. */
export function timestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Check a request's `Signature` the way the service does (constant time); used by servers such as the sandbox. */
export function verifySignature(method: string, params: Record<string, string>, accessKeySecret: string): boolean {
  const given = params.Signature;
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(sign(method, params, accessKeySecret));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
