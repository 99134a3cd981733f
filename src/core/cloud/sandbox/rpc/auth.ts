// The checks Alibaba's API gateway makes before an operation runs: common parameters, timestamp window, nonce
// reuse, access key and the SignatureVersion 1.0 signature (recomputed with the account's secret).
import { timingSafeEqual } from 'node:crypto';
import { sign } from '../../aliyun/signer';
import { gatewayError, missingParameter } from './apiError';
import { API_VERSION, LIMITS, SANDBOX_ACCESS_KEY_ID, SANDBOX_ACCESS_KEY_SECRET } from '../constants';
import type { SandboxContext } from '../context';

const TIMESTAMP_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;

const SECRETS: ReadonlyMap<string, string> = new Map([[SANDBOX_ACCESS_KEY_ID, SANDBOX_ACCESS_KEY_SECRET]]);

function required(params: ReadonlyMap<string, string>, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

function parseTimestamp(value: string): number | undefined {
  const m = TIMESTAMP_PATTERN.exec(value);
  if (!m) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function forgetOldNonces(ctx: SandboxContext, now: number): void {
  if (ctx.nonces.size < 1000) return;
  for (const [nonce, until] of ctx.nonces) if (until < now) ctx.nonces.delete(nonce);
}

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Checks the request's common parameters and signature; returns the AccessKeyId. Throws ApiError. */
export function authenticate(ctx: SandboxContext, method: string, params: ReadonlyMap<string, string>): string {
  const format = params.get('Format');
  if (format !== undefined && format.toUpperCase() !== 'JSON') {
    throw gatewayError(400, 'InvalidParameter', `The sandbox answers in JSON only; send Format=JSON, not "${format}".`);
  }
  const version = required(params, 'Version');
  if (version !== API_VERSION) {
    throw gatewayError(400, 'InvalidVersion', `Specified parameter Version is not valid: "${version}" (IoT uses ${API_VERSION}).`);
  }
  const accessKeyId = required(params, 'AccessKeyId');
  const signatureMethod = required(params, 'SignatureMethod');
  if (signatureMethod !== 'HMAC-SHA1') {
    throw gatewayError(400, 'InvalidSignatureMethod', `Specified signature method "${signatureMethod}" is not supported; use HMAC-SHA1.`);
  }
  const signatureVersion = required(params, 'SignatureVersion');
  if (signatureVersion !== '1.0') {
    throw gatewayError(400, 'InvalidSignatureVersion', `Specified signature version "${signatureVersion}" is not supported; use 1.0.`);
  }
  const nonce = required(params, 'SignatureNonce');
  const stamp = required(params, 'Timestamp');
  const time = parseTimestamp(stamp);
  if (time === undefined) {
    throw gatewayError(400, 'IllegalTimestamp', `Specified time stamp "${stamp}" is not well formatted; use YYYY-MM-DDThh:mm:ssZ in UTC.`);
  }
  const now = ctx.now();
  if (Math.abs(now - time) > LIMITS.timestampSkewMs) {
    throw gatewayError(
      400,
      'IllegalTimestamp',
      `Specified time stamp "${stamp}" is more than 15 minutes away from the server time ${new Date(now).toISOString()}; check the computer's clock.`,
    );
  }
  const signature = params.get('Signature');
  if (signature === undefined || signature === '') {
    throw gatewayError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards: the Signature parameter is missing.');
  }
  const secret = SECRETS.get(accessKeyId);
  if (secret === undefined) throw gatewayError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const withoutSignature: Record<string, string> = {};
  for (const [k, v] of params) if (k !== 'Signature') withoutSignature[k] = v;
  if (!sameSignature(sign(method, withoutSignature, secret), signature)) {
    throw gatewayError(
      400,
      'SignatureDoesNotMatch',
      'Specified signature is not matched with our calculation. Check the AccessKey secret and the signing method.',
    );
  }
  forgetOldNonces(ctx, now);
  const nonceKey = `${accessKeyId} ${nonce}`;
  const seenUntil = ctx.nonces.get(nonceKey);
  if (seenUntil !== undefined && seenUntil >= now) {
    throw gatewayError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
  ctx.nonces.set(nonceKey, now + 2 * LIMITS.timestampSkewMs);
  return accessKeyId;
}
