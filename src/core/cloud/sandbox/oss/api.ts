// OSS emulation: PostObject form uploads to `/oss/<bucket>` (the Host GenerateOTAUploadURL returns) and GET/HEAD of
// stored objects through pre-signed URLs. Errors are OSS's XML documents.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { SANDBOX_OSS_BUCKET } from '../constants';
import { countError, type SandboxContext } from '../context';
import { BodyTooLargeError, drain, escapeXml, headerValue, requestId, sendXml } from '../http';
import { MalformedFormError, isFile, isMultipart, readForm, type FormEntry } from '../multipart';
import { getObject, putObject } from './objects';
import { OSS_SECRETS, checkDownloadSignature, hmacSha1Base64, safeEqual } from './policy';

/** Room for the form's other fields and boundaries on top of the file itself. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

class OssError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendOssError(ctx: SandboxContext, res: ServerResponse, e: OssError, bucket: string): void {
  const id = requestId();
  countError(ctx, e.code);
  sendXml(
    res,
    e.status,
    `<Error>\n  <Code>${escapeXml(e.code)}</Code>\n  <Message>${escapeXml(e.message)}</Message>\n` +
      `  <RequestId>${id}</RequestId>\n  <HostId>${escapeXml(bucket)}.oss.sandbox.local</HostId>\n</Error>\n`,
    { 'x-oss-request-id': id },
  );
}

/** Handles `/oss/...`; `rest` is the path after `/oss/`. */
export async function handleOss(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
  query: URLSearchParams,
): Promise<void> {
  const slash = rest.indexOf('/');
  const bucket = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
  const key = slash < 0 ? '' : rest.slice(slash + 1).split('/').map(decodeURIComponent).join('/');
  try {
    if (bucket !== SANDBOX_OSS_BUCKET) throw new OssError(404, 'NoSuchBucket', 'The specified bucket does not exist.');
    if (ctx.faults.take('oss') !== undefined) {
      ctx.stats.faultsInjected++;
      throw new OssError(503, 'ServiceUnavailable', 'Please reduce your request rate.');
    }
    if (req.method === 'POST' && key === '') await postObject(ctx, req, res, bucket);
    else if ((req.method === 'GET' || req.method === 'HEAD') && key !== '') getObjectBytes(ctx, req, res, bucket, key, query);
    else throw new OssError(405, 'MethodNotAllowed', `The specified method is not allowed against this resource.`);
  } catch (e) {
    drain(req, res);
    if (e instanceof OssError) sendOssError(ctx, res, e, bucket);
    else throw e;
  }
}

function field(entries: FormEntry[], name: string): string | undefined {
  const lower = name.toLowerCase();
  const entry = entries.find(([n]) => n.toLowerCase() === lower);
  return entry && typeof entry[1] === 'string' ? entry[1] : undefined;
}

function requiredField(entries: FormEntry[], name: string): string {
  const value = field(entries, name);
  if (value === undefined || value === '') {
    throw new OssError(400, 'InvalidArgument', `The form field "${name}" is missing.`);
  }
  return value;
}

async function postObject(ctx: SandboxContext, req: IncomingMessage, res: ServerResponse, bucket: string): Promise<void> {
  const arrivedAt = ctx.now();
  if (!isMultipart(req)) {
    throw new OssError(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
  }
  const limit = ctx.maxUploadBytes + FORM_OVERHEAD_BYTES;
  const declared = Number(headerValue(req, 'content-length') ?? NaN);
  if (declared > limit) throw tooLarge(ctx);
  let entries: FormEntry[];
  try {
    entries = await readForm(req, limit);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw tooLarge(ctx);
    if (e instanceof MalformedFormError) {
      throw new OssError(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
    }
    throw e;
  }
  const fileIndex = entries.findIndex(([name]) => name === 'file');
  const fileEntry = entries[fileIndex];
  if (!fileEntry || !isFile(fileEntry[1])) {
    throw new OssError(400, 'InvalidArgument', 'The form has no file field: send the firmware in a field named "file".');
  }
  if (fileIndex !== entries.length - 1) {
    throw new OssError(
      400,
      'InvalidArgument',
      `The file field must be the last field of the form; "${entries[entries.length - 1]?.[0]}" came after it.`,
    );
  }
  const file = fileEntry[1];
  const rawKey = requiredField(entries, 'key');
  const policy = requiredField(entries, 'policy');
  const accessKeyId = requiredField(entries, 'OSSAccessKeyId');
  const signature = requiredField(entries, 'Signature');
  const secret = OSS_SECRETS.get(accessKeyId);
  if (secret === undefined) {
    throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.');
  }
  if (!safeEqual(hmacSha1Base64(secret, policy), signature)) {
    throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }
  const key = rawKey.replace('${filename}', file.name);
  checkPolicy(policy, arrivedAt, { bucket, key, fields: entries, size: file.size });
  const status = field(entries, 'success_action_status') ?? '204';
  if (!['200', '201', '204'].includes(status)) {
    throw new OssError(400, 'InvalidArgument', `success_action_status must be 200, 201 or 204, not "${status}".`);
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const contentType = field(entries, 'Content-Type') ?? (file.type || 'application/octet-stream');
  const object = await putObject(ctx.store, bucket, key, bytes, contentType, ctx.now());
  await ctx.store.flush();
  const id = requestId();
  const etag = `"${object.md5.toUpperCase()}"`;
  const headers = { etag, 'x-oss-request-id': id };
  if (status === '201') {
    sendXml(
      res,
      201,
      `<PostResponse>\n  <Bucket>${escapeXml(bucket)}</Bucket>\n  <Location>${escapeXml(`${ctx.urls.ossHost}/${key}`)}</Location>\n` +
        `  <Key>${escapeXml(key)}</Key>\n  <ETag>${etag}</ETag>\n</PostResponse>\n`,
      headers,
    );
  } else {
    res.writeHead(Number(status), { ...headers, 'content-length': '0' });
    res.end();
  }
  ctx.log('debug', `OSS: stored ${key} (${object.size} bytes)`);
}

function tooLarge(ctx: SandboxContext): OssError {
  return new OssError(400, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${ctx.maxUploadBytes} bytes).`);
}

interface PolicyInput {
  bucket: string;
  key: string;
  fields: FormEntry[];
  size: number;
}

function policyFailed(condition: unknown): OssError {
  return new OssError(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`);
}

function checkPolicy(policy: string, now: number, input: PolicyInput): void {
  let document: { expiration?: unknown; conditions?: unknown };
  try {
    document = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as typeof document;
  } catch {
    throw new OssError(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  }
  if (typeof document.expiration !== 'string' || Number.isNaN(Date.parse(document.expiration))) {
    throw new OssError(400, 'InvalidPolicyDocument', 'Invalid Policy: the expiration is missing or not a date.');
  }
  if (Date.parse(document.expiration) < now) {
    throw new OssError(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
  }
  if (!Array.isArray(document.conditions)) {
    throw new OssError(400, 'InvalidPolicyDocument', 'Invalid Policy: the conditions are missing.');
  }
  const valueOf = (name: string): string | undefined => {
    const n = name.replace(/^\$/, '').toLowerCase();
    if (n === 'key') return input.key;
    if (n === 'bucket') return input.bucket;
    return field(input.fields, n);
  };
  for (const condition of document.conditions as unknown[]) {
    if (Array.isArray(condition)) {
      const [op, a, b] = condition as unknown[];
      if (op === 'content-length-range') {
        if (input.size < Number(a)) {
          throw new OssError(400, 'EntityTooSmall', `Your proposed upload is smaller than the minimum allowed size (${Number(a)} bytes).`);
        }
        if (input.size > Number(b)) {
          throw new OssError(400, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${Number(b)} bytes).`);
        }
      } else if (op === 'eq') {
        if (valueOf(String(a)) !== String(b)) throw policyFailed(condition);
      } else if (op === 'starts-with') {
        if (!(valueOf(String(a)) ?? '').startsWith(String(b))) throw policyFailed(condition);
      } else {
        throw new OssError(400, 'InvalidPolicyDocument', `Invalid Policy: unknown condition ${JSON.stringify(condition)}.`);
      }
    } else if (typeof condition === 'object' && condition !== null) {
      for (const [name, expected] of Object.entries(condition)) {
        if (valueOf(name) !== String(expected)) throw policyFailed(condition);
      }
    }
  }
}

function getObjectBytes(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  key: string,
  query: URLSearchParams,
): void {
  const check = checkDownloadSignature(ctx, bucket, key, query);
  if (!check.ok) throw new OssError(check.status, check.code, check.message);
  const object = getObject(ctx.store, bucket, key);
  if (!object) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.');
  res.writeHead(200, {
    'content-type': object.contentType,
    'content-length': String(object.size),
    etag: `"${object.md5.toUpperCase()}"`,
    'last-modified': new Date(object.uploadedAt).toUTCString(),
    'x-oss-request-id': requestId(),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(join(ctx.store.objectsDir, object.file));
  stream.on('error', (e) => {
    ctx.log('error', `OSS: cannot read ${key}: ${e.message}`);
    res.destroy(e);
  });
  stream.pipe(res);
}
