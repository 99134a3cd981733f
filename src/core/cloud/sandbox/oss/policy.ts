// OSS signatures the sandbox issues and checks: PostObject upload policies (base64 JSON signed with HMAC-SHA1) and
// pre-signed download URLs (OSS signature version 1 in the query string).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LIMITS, SANDBOX_OSS_ACCESS_KEY_ID, SANDBOX_OSS_ACCESS_KEY_SECRET } from '../constants';
import type { SandboxContext } from '../context';

export const OSS_SECRETS: ReadonlyMap<string, string> = new Map([
  [SANDBOX_OSS_ACCESS_KEY_ID, SANDBOX_OSS_ACCESS_KEY_SECRET],
]);

export function hmacSha1Base64(secret: string, text: string): string {
  return createHmac('sha1', secret).update(text, 'utf8').digest('base64');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface UploadPolicy {
  key: string;
  host: string;
  policy: string;
  signature: string;
  accessKeyId: string;
  /** The object's URL (not signed). */
  objectUrl: string;
  expiresAt: number;
}

/** The upload credentials GenerateOTAUploadURL hands out: valid one minute, for exactly one key. */
export function issueUploadPolicy(ctx: SandboxContext, bucket: string, key: string): UploadPolicy {
  const expiresAt = ctx.now() + LIMITS.uploadPolicyMs;
  const document = {
    expiration: new Date(expiresAt).toISOString(),
    conditions: [['content-length-range', 1, ctx.maxUploadBytes], { bucket }, ['eq', '$key', key]],
  };
  const policy = Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
  return {
    key,
    host: `${ctx.urls.base}/oss/${bucket}`,
    policy,
    signature: hmacSha1Base64(SANDBOX_OSS_ACCESS_KEY_SECRET, policy),
    accessKeyId: SANDBOX_OSS_ACCESS_KEY_ID,
    objectUrl: objectUrl(ctx, bucket, key),
    expiresAt,
  };
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export function objectUrl(ctx: SandboxContext, bucket: string, key: string): string {
  return `${ctx.urls.base}/oss/${bucket}/${encodeKey(key)}`;
}

function urlStringToSign(bucket: string, key: string, expires: number): string {
  return `GET\n\n\n${expires}\n/${bucket}/${key}`;
}

/** A pre-signed GET URL for an object, valid for `LIMITS.downloadUrlMs`. */
export function downloadUrl(ctx: SandboxContext, bucket: string, key: string): string {
  const expires = Math.floor((ctx.now() + LIMITS.downloadUrlMs) / 1000);
  const signature = hmacSha1Base64(SANDBOX_OSS_ACCESS_KEY_SECRET, urlStringToSign(bucket, key, expires));
  const query = new URLSearchParams({
    Expires: String(expires),
    OSSAccessKeyId: SANDBOX_OSS_ACCESS_KEY_ID,
    Signature: signature,
  });
  return `${objectUrl(ctx, bucket, key)}?${query.toString()}`;
}

export type UrlCheck = { ok: true } | { ok: false; status: number; code: string; message: string };

/** Checks a pre-signed download URL's query. */
export function checkDownloadSignature(
  ctx: SandboxContext,
  bucket: string,
  key: string,
  query: URLSearchParams,
): UrlCheck {
  const expires = query.get('Expires');
  const accessKeyId = query.get('OSSAccessKeyId');
  const signature = query.get('Signature');
  if (!expires || !accessKeyId || !signature) {
    return { ok: false, status: 403, code: 'AccessDenied', message: 'You have no right to access this object because of bucket acl.' };
  }
  const secret = OSS_SECRETS.get(accessKeyId);
  if (secret === undefined) {
    return { ok: false, status: 403, code: 'InvalidAccessKeyId', message: 'The OSS Access Key Id you provided does not exist in our records.' };
  }
  if (!/^\d+$/.test(expires) || Number(expires) * 1000 < ctx.now()) {
    return { ok: false, status: 403, code: 'AccessDenied', message: 'Request has expired.' };
  }
  if (!safeEqual(hmacSha1Base64(secret, urlStringToSign(bucket, key, Number(expires))), signature)) {
    return {
      ok: false,
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  return { ok: true };
}
