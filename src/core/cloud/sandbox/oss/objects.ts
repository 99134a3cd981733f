// Stored binaries (OSS objects and IoTaaP uploads): bytes in files under the data folder, metadata in the store.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { writeFileAtomic } from '../state/fsAtomic';
import type { ObjectRecord } from '../state/records';
import type { SandboxStore } from '../state/store';

export async function putObject(
  store: SandboxStore,
  bucket: string,
  key: string,
  bytes: Uint8Array,
  contentType: string,
  now: number,
): Promise<ObjectRecord> {
  const file = store.objectFile(bucket, key);
  await writeFileAtomic(file, bytes);
  const record: ObjectRecord = {
    bucket,
    key,
    size: bytes.byteLength,
    md5: createHash('md5').update(bytes).digest('hex'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    contentType,
    uploadedAt: now,
    file: basename(file),
  };
  store.objects.set(`${bucket}/${key}`, record);
  store.touchObjects();
  return record;
}

/** Records an object whose bytes were already put at `store.objectFile(bucket, key)` (see ObjectUpload). */
export function recordObject(
  store: SandboxStore,
  bucket: string,
  key: string,
  received: { size: number; md5: string; sha256: string },
  contentType: string,
  now: number,
): ObjectRecord {
  const record: ObjectRecord = {
    bucket,
    key,
    size: received.size,
    md5: received.md5,
    sha256: received.sha256,
    contentType,
    uploadedAt: now,
    file: basename(store.objectFile(bucket, key)),
  };
  store.objects.set(`${bucket}/${key}`, record);
  store.touchObjects();
  return record;
}

export function getObject(store: SandboxStore, bucket: string, key: string): ObjectRecord | undefined {
  return store.objects.get(`${bucket}/${key}`);
}
