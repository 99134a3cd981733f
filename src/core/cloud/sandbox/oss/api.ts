// OSS emulation: PostObject form uploads to `/oss/<bucket>` (the Host GenerateOTAUploadURL returns) and GET/HEAD of
// stored objects through pre-signed URLs. Errors are OSS's XML documents.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { SANDBOX_OSS_BUCKET } from '../constants';
import { countError, type SandboxContext } from '../context';
import { drain, escapeXml, requestId, sendXml } from '../http';
import { getObject } from './objects';
import { OssError } from './ossError';
import { checkDownloadSignature } from './policy';
import { postObject } from './postObject';

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
  let bucket = slash < 0 ? rest : rest.slice(0, slash);
  try {
    let key: string;
    try {
      bucket = decodeURIComponent(bucket);
      key = slash < 0 ? '' : rest.slice(slash + 1).split('/').map(decodeURIComponent).join('/');
    } catch {
      // As OSS answers a path it cannot decode.
      throw new OssError(400, 'InvalidURI', "Couldn't parse the specified URI.");
    }
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
