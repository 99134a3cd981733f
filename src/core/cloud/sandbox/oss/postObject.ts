// OSS PostObject, streamed: the form is parsed as it arrives, the text fields (which OSS wants before the file) are
// checked against the signed policy when the file part starts, and the file goes straight to a temporary file in
// the data folder, its size held to the policy's content-length-range as it arrives, then renamed into place. What
// the service refuses is refused with its error document; nothing of a refused or broken upload stays on disk.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxContext } from '../context';
import { FormParser, MalformedFormError, boundaryOf, isMultipart, type PartHeaders } from '../formParser';
import { BodyTooLargeError, escapeXml, headerValue, limitedBody, requestId, sendXml } from '../http';
import { ObjectUpload } from './objectUpload';
import { recordObject } from './objects';
import { OssError } from './ossError';
import { OSS_SECRETS, hmacSha1Base64, safeEqual } from './policy';

/** Room for the form's other fields and boundaries on top of the file itself. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

type Field = [name: string, value: string];

function malformed(): OssError {
  return new OssError(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
}

function tooLarge(ctx: SandboxContext): OssError {
  return new OssError(400, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${ctx.maxUploadBytes} bytes).`);
}

function field(fields: Field[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return fields.find(([n]) => n.toLowerCase() === lower)?.[1];
}

function requiredField(fields: Field[], name: string): string {
  const value = field(fields, name);
  if (value === undefined || value === '') {
    throw new OssError(400, 'InvalidArgument', `The form field "${name}" is missing.`);
  }
  return value;
}

/** What the fields before the file allow: where it goes and how big it may be. */
interface Grant {
  key: string;
  status: string;
  contentType: string;
  minBytes: number;
  maxBytes: number;
  tooSmall: () => OssError;
  tooLarge: () => OssError;
}

function authorize(bucket: string, fields: Field[], file: PartHeaders, arrivedAt: number): Grant {
  const rawKey = requiredField(fields, 'key');
  const policy = requiredField(fields, 'policy');
  const accessKeyId = requiredField(fields, 'OSSAccessKeyId');
  const signature = requiredField(fields, 'Signature');
  const secret = OSS_SECRETS.get(accessKeyId);
  if (secret === undefined) {
    throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.');
  }
  if (!safeEqual(hmacSha1Base64(secret, policy), signature)) {
    throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }
  const key = rawKey.replace('${filename}', file.fileName ?? '');
  const range = checkPolicy(policy, arrivedAt, { bucket, key, fields });
  const status = field(fields, 'success_action_status') ?? '204';
  if (!['200', '201', '204'].includes(status)) {
    throw new OssError(400, 'InvalidArgument', `success_action_status must be 200, 201 or 204, not "${status}".`);
  }
  const contentType = field(fields, 'Content-Type') ?? (file.contentType || 'application/octet-stream');
  return { key, status, contentType, ...range };
}

export async function postObject(ctx: SandboxContext, req: IncomingMessage, res: ServerResponse, bucket: string): Promise<void> {
  const arrivedAt = ctx.now();
  const boundary = isMultipart(req) ? boundaryOf(headerValue(req, 'content-type') ?? '') : undefined;
  if (boundary === undefined) throw malformed();
  const limit = ctx.maxUploadBytes + FORM_OVERHEAD_BYTES;
  const declared = Number(headerValue(req, 'content-length') ?? NaN);
  if (declared > limit) throw tooLarge(ctx);

  const parser = new FormParser(boundary);
  const fields: Field[] = [];
  let fieldBytes = 0;
  let text: { name: string; chunks: Buffer[] } | undefined;
  let grant: Grant | undefined;
  /** Why the fields do not allow the file; told once the whole form is in, as the service does. */
  let refused: OssError | undefined;
  let upload: ObjectUpload | undefined;
  let inFile = false;
  let fileEnded = false;
  let fileBytes = 0;
  let stored;
  try {
    for await (const chunk of limitedBody(req, limit)) {
      for (const event of parser.push(chunk)) {
        if (event.type === 'part') {
          if (fileEnded) {
            throw new OssError(400, 'InvalidArgument', `The file field must be the last field of the form; "${event.part.name}" came after it.`);
          }
          if (event.part.name === 'file' && event.part.fileName !== undefined) {
            inFile = true;
            try {
              const g = authorize(bucket, fields, event.part, arrivedAt);
              grant = g;
              upload = await ObjectUpload.open(ctx.store.objectFile(bucket, g.key), g.maxBytes, g.tooLarge);
            } catch (e) {
              if (!(e instanceof OssError)) throw e;
              refused = e;
            }
          } else {
            text = { name: event.part.name, chunks: [] };
          }
        } else if (event.type === 'data') {
          if (inFile) {
            fileBytes += event.data.length;
            if (upload) await upload.write(event.data);
          } else if (text) {
            fieldBytes += event.data.length;
            if (fieldBytes > FORM_OVERHEAD_BYTES) throw tooLarge(ctx);
            text.chunks.push(Buffer.from(event.data));
          }
        } else if (event.type === 'partEnd') {
          if (inFile) {
            inFile = false;
            fileEnded = true;
          } else if (text) {
            fields.push([text.name, Buffer.concat(text.chunks).toString('utf8')]);
            text = undefined;
          }
        }
      }
    }
    parser.end();
    if (!fileEnded) {
      throw new OssError(400, 'InvalidArgument', 'The form has no file field: send the firmware in a field named "file".');
    }
    if (refused) throw refused;
    if (!grant || !upload) throw new Error('the upload has no target');
    if (fileBytes < grant.minBytes) throw grant.tooSmall();
    stored = await upload.commit();
  } catch (e) {
    await upload?.discard();
    if (e instanceof BodyTooLargeError) throw tooLarge(ctx);
    if (e instanceof MalformedFormError) throw malformed();
    if (!(e instanceof OssError) && req.destroyed && !req.complete) {
      // The client went away (or the connection broke) mid-form: there is no one to answer.
      ctx.log('debug', `OSS: an upload to ${bucket} ended before its form did (${(e as Error).message}); nothing was stored`);
      return;
    }
    throw e;
  }
  const { key, status } = grant;
  const object = recordObject(ctx.store, bucket, key, stored, grant.contentType, ctx.now());
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

interface PolicyInput {
  bucket: string;
  key: string;
  fields: Field[];
}

interface SizeRange {
  minBytes: number;
  maxBytes: number;
  tooSmall: () => OssError;
  tooLarge: () => OssError;
}

function policyFailed(condition: unknown): OssError {
  return new OssError(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`);
}

/** Checks every condition but the size, which is only known as the file arrives; returns the size range. */
function checkPolicy(policy: string, now: number, input: PolicyInput): SizeRange {
  let document: { expiration?: unknown; conditions?: unknown };
  try {
    document = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as typeof document;
  } catch {
    throw new OssError(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  }
  if (typeof document !== 'object' || document === null) {
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
  const range: SizeRange = {
    minBytes: 0,
    maxBytes: Number.POSITIVE_INFINITY,
    tooSmall: () => new OssError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.'),
    tooLarge: () => new OssError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.'),
  };
  for (const condition of document.conditions as unknown[]) {
    if (Array.isArray(condition)) {
      const [op, a, b] = condition as unknown[];
      if (op === 'content-length-range') {
        const min = Number(a);
        const max = Number(b);
        if (min > range.minBytes) {
          range.minBytes = min;
          range.tooSmall = () => new OssError(400, 'EntityTooSmall', `Your proposed upload is smaller than the minimum allowed size (${min} bytes).`);
        }
        if (max < range.maxBytes) {
          range.maxBytes = max;
          range.tooLarge = () => new OssError(400, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${max} bytes).`);
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
  return range;
}
