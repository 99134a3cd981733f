// The multipart form of an IoTaaP deploy, streamed: parsed as it arrives (../formParser.ts), its text fields kept,
// the image (the first part named "firmware" that is a file) written straight to a temporary file in the objects
// folder, and the form's size held to the limit as it arrives. Fields may come before or after the image; when the
// fields before it already say the deploy is refused, the image is counted but not stored. The caller commits the
// temporary file or discards it; a form that fails here leaves nothing on disk.
import type { IncomingMessage } from 'node:http';
import type { SandboxContext } from '../context';
import { FormParser, MalformedFormError, boundaryOf } from '../formParser';
import { BodyTooLargeError, headerValue, limitedBody } from '../http';
import { ObjectUpload } from '../oss/objectUpload';

/** A text field's value, or a file part (whose bytes are not kept here). */
export type DeployEntry = [name: string, value: string | { file: string }];

export interface DeployForm {
  /** Every part in the order sent. */
  entries: DeployEntry[];
  /** The image's size, stored or not. */
  fileBytes: number;
  /** The image in its temporary file; absent without an image, or when the fields before it refused the deploy. */
  upload?: ObjectUpload;
}

/** Room for the text fields and boundaries on top of the image. */
export const FORM_OVERHEAD_BYTES = 1024 * 1024;

/** The form is larger than the sandbox accepts. */
export class FormTooLargeError extends Error {}

/**
 * Reads the form. `refusedBefore(entries)` is asked when the image starts, with the fields so far: true when they
 * already refuse the deploy, whatever the image. Throws MalformedFormError, FormTooLargeError, or what the body's
 * stream threw (a client that went away).
 */
export async function readDeployForm(ctx: SandboxContext, req: IncomingMessage, refusedBefore: (entries: DeployEntry[]) => boolean): Promise<DeployForm> {
  const boundary = boundaryOf(headerValue(req, 'content-type') ?? '');
  if (boundary === undefined) throw new MalformedFormError('the content type has no boundary');
  const limit = ctx.maxUploadBytes + FORM_OVERHEAD_BYTES;
  if (Number(headerValue(req, 'content-length') ?? NaN) > limit) throw new FormTooLargeError();
  const parser = new FormParser(boundary);
  const entries: DeployEntry[] = [];
  let text: { name: string; chunks: Buffer[] } | undefined;
  let textBytes = 0;
  let inImage = false;
  let fileBytes = 0;
  let upload: ObjectUpload | undefined;
  try {
    for await (const chunk of limitedBody(req, limit)) {
      for (const event of parser.push(chunk)) {
        if (event.type === 'part') {
          const { name, fileName } = event.part;
          if (fileName === undefined) {
            text = { name, chunks: [] };
            continue;
          }
          inImage = name === 'firmware' && !entries.some(([n]) => n === 'firmware');
          entries.push([name, { file: fileName }]);
          if (inImage && !refusedBefore(entries)) {
            // Where it goes is known once the form is in: next to the objects, renamed into place on commit.
            upload = await ObjectUpload.open(ctx.store.objectFile('iotaap', 'upload'), limit, () => new FormTooLargeError());
          }
        } else if (event.type === 'data') {
          if (inImage) {
            fileBytes += event.data.length;
            if (upload) await upload.write(event.data);
          } else if (text) {
            textBytes += event.data.length;
            if (textBytes > FORM_OVERHEAD_BYTES) throw new FormTooLargeError();
            text.chunks.push(Buffer.from(event.data));
          }
        } else if (event.type === 'partEnd') {
          if (text) entries.push([text.name, Buffer.concat(text.chunks).toString('utf8')]);
          text = undefined;
          inImage = false;
        }
      }
    }
    parser.end();
  } catch (e) {
    await upload?.discard();
    throw e instanceof BodyTooLargeError ? new FormTooLargeError() : e;
  }
  return { entries, fileBytes, upload };
}
