// The IoTaaP API: device and group OTA listings, and firmware deployment as multipart uploads. Authentication,
// retries and error mapping live in the session.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { OtaError } from '../../errors';
import type { DeviceOta } from '../../model';
import { encodeMultipart, type ProgressListener } from '../../net/multipart';
import { mapOtaPage, type DeviceOtaPage } from './mapping';
import { IotaapSession, type IotaapClientConfig, type LoginResult } from './session';
import { isSemver } from './validate';
import { say } from '../../sentences';

export const IOTAAP_PAGE_SIZE = 100;

export interface ListOtasOptions {
  /** Filters on the OTA's path. */
  search?: string;
  offset?: number;
  /** Default 100. */
  limit?: number;
  orderDir?: 'asc' | 'desc';
  draw?: string;
  signal?: AbortSignal;
}

export interface DeployOptions {
  /** A path to the image, or its bytes. */
  file: string | Uint8Array;
  /** Default: the file's name, or firmware.bin. */
  fileName?: string;
  /** Semantic version; the device updates only when it differs from its last one. */
  version: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface DeviceDeployOptions extends DeployOptions {
  device: string;
  deviceToken: string;
}

export interface GroupDeployOptions extends DeployOptions {
  group: string;
  token: string;
}

export class IotaapClient {
  private readonly session: IotaapSession;

  constructor(config: IotaapClientConfig) {
    this.session = new IotaapSession(config);
  }

  get baseUrl(): string {
    return this.session.baseUrl;
  }

  /** The bearer token in use (after a login, the new one), for callers that store it. */
  get token(): string | undefined {
    return this.session.token;
  }

  /** `POST /auth/login` with the configured email and password. */
  login(signal?: AbortSignal): Promise<LoginResult> {
    return this.session.login(signal);
  }

  /** `GET /ota/device`: the last OTA of each device, one page. */
  listDeviceOtas(options: ListOtasOptions = {}): Promise<DeviceOtaPage> {
    return this.listPage('/ota/device', say`list device OTAs`, options);
  }

  /** Every device OTA (matching `search`), all pages. */
  listAllDeviceOtas(search?: string, options: { signal?: AbortSignal } = {}): Promise<DeviceOta[]> {
    return this.listAll('/ota/device', say`list device OTAs`, search, options.signal);
  }

  /** `GET /ota/group`: the last OTA of each device group, one page. */
  listGroupOtas(options: ListOtasOptions = {}): Promise<DeviceOtaPage> {
    return this.listPage('/ota/group', say`list group OTAs`, options);
  }

  listAllGroupOtas(search?: string, options: { signal?: AbortSignal } = {}): Promise<DeviceOta[]> {
    return this.listAll('/ota/group', say`list group OTAs`, search, options.signal);
  }

  /** `POST /ota/device` (multipart): upload an image and trigger the device's update. */
  async deployToDevice(options: DeviceDeployOptions): Promise<{ message: string }> {
    requireText(say`device id`, options.device);
    requireText(say`device token`, options.deviceToken);
    const fields = [
      { name: 'device', value: options.device },
      { name: 'token', value: options.deviceToken },
    ];
    return this.deploy('/ota/device', say`deploy firmware to device ${options.device}`, options, fields, options.deviceToken);
  }

  /** `POST /ota/group` (multipart): the same for a device group. */
  async deployToGroup(options: GroupDeployOptions): Promise<{ message: string }> {
    requireText(say`group id`, options.group);
    requireText(say`token`, options.token);
    const fields = [
      { name: 'group', value: options.group },
      { name: 'token', value: options.token },
    ];
    return this.deploy('/ota/group', say`deploy firmware to group ${options.group}`, options, fields, options.token);
  }

  private async listPage(path: string, operation: string, o: ListOtasOptions): Promise<DeviceOtaPage> {
    const offset = o.offset ?? 0;
    const limit = o.limit ?? IOTAAP_PAGE_SIZE;
    if (!Number.isInteger(offset) || offset < 0) throw new OtaError('invalid-input', say`The offset must be a whole number >= 0 (got ${offset}).`);
    if (!Number.isInteger(limit) || limit < 1) throw new OtaError('invalid-input', say`The limit must be a whole number >= 1 (got ${limit}).`);
    const body = await this.session.request({
      operation,
      method: 'GET',
      path,
      query: { search_value: o.search ?? '', offset, limit, draw: o.draw, order_dir: o.orderDir },
      idempotent: true,
      signal: o.signal,
    });
    return mapOtaPage(body, offset, limit);
  }

  private async listAll(path: string, operation: string, search: string | undefined, signal?: AbortSignal): Promise<DeviceOta[]> {
    const all: DeviceOta[] = [];
    const seen = new Set<string>();
    for (let offset = 0; ; ) {
      const page = await this.listPage(path, operation, { search, offset, limit: IOTAAP_PAGE_SIZE, signal });
      // Paging follows what came back, not recordsFiltered: a page with nothing new (a server repeating itself) or a
      // short page ends the listing, however many records the server claims.
      const fresh = page.items.filter((o) => {
        const key = o.id || JSON.stringify(o);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      all.push(...fresh);
      offset += page.items.length;
      if (fresh.length === 0 || page.items.length < IOTAAP_PAGE_SIZE || offset >= page.recordsFiltered) return all;
    }
  }

  private async deploy(
    path: string,
    operation: string,
    o: DeployOptions,
    fields: { name: string; value: string }[],
    secret: string,
  ): Promise<{ message: string }> {
    if (!isSemver(o.version)) {
      throw new OtaError('invalid-input', say`"${o.version}" is not a semantic version; IoTaaP needs one such as 1.5.7.`);
    }
    const data = typeof o.file === 'string' ? await readImage(o.file) : o.file;
    if (data.length === 0) throw new OtaError('invalid-input', say`The firmware image is empty.`);
    const fileName = o.fileName || (typeof o.file === 'string' ? basename(o.file) : 'firmware.bin');
    const body = await encodeMultipart([
      ...fields,
      { name: 'version', value: o.version },
      { name: 'firmware', fileName, data, contentType: 'application/octet-stream' },
    ]);
    const answer = (await this.session.request({
      operation,
      method: 'POST',
      path,
      multipart: { ...body, onProgress: o.onProgress },
      secrets: [secret],
      idempotent: false,
      signal: o.signal,
    })) as { message?: unknown } | null;
    const message = answer && typeof answer.message === 'string' ? answer.message : say`Firmware deployed`;
    this.session.log('info', say`IoTaaP: ${operation}: ${message}`);
    return { message };
  }
}

function requireText(what: string, value: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new OtaError('invalid-input', say`No ${what} given.`);
}

async function readImage(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new OtaError('invalid-input', say`Cannot read the firmware image ${path}${typeof code === 'string' ? ` (${code})` : ''}.`, {
      cause: error,
    });
  }
}
