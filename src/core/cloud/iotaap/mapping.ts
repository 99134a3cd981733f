// IoTaaP answers -> the provider-neutral model.
import { OtaError } from '../../errors';
import type { DeviceOta, Page } from '../../model';
import { say } from '../../sentences';

/** A page of OTA records with IoTaaP's own counters. */
export interface DeviceOtaPage extends Page<DeviceOta> {
  offset: number;
  /** Every record of the account. */
  recordsTotal: number;
  /** Records matching the search (`total` is this one). */
  recordsFiltered: number;
  draw: string | null;
}

type Raw = Record<string, unknown>;

function isRaw(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function str(r: Raw, key: string): string | null {
  const v = r[key];
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number') return String(v);
  return null;
}

function count(r: Raw, key: string): number | null {
  const v = typeof r[key] === 'string' ? Number(r[key]) : r[key];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

function iso(value: string | null): string | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

const MASK = '****';

/**
 * A device OTA's storage path with the device token masked. IoTaaP stores a device's image under a folder named by
 * the device id followed by its token (`ota/device/<id><token>/firmware.bin`): the token is a credential, so only
 * the id part of such a folder is kept. Any other folder between the kind and the file name that is not the id
 * itself is masked whole.
 */
export function maskDeviceOtaPath(path: string | null, device: string): string | null {
  if (path === null) return null;
  const parts = path.split('/');
  const id = device.toLowerCase();
  return parts
    .map((part, i) => {
      if (i === parts.length - 1 || part === '' || i < 2 || part.toLowerCase() === id) return part;
      if (id && part.toLowerCase().startsWith(id)) return `${part.slice(0, id.length)}${MASK}`;
      return MASK;
    })
    .join('/');
}

export function mapDeviceOta(r: Raw): DeviceOta {
  const device = str(r, 'device') ?? '';
  const isGroup = 'group' in r;
  const path = str(r, 'path');
  const ota: DeviceOta = {
    id: str(r, '_id') ?? str(r, 'id') ?? '',
    device,
    owner: str(r, 'owner'),
    // Shown in lists, tooltips and --json: never with the device token in it.
    path: isGroup ? path : maskDeviceOtaPath(path, device),
    version: str(r, 'version'),
    lastUpdated: iso(str(r, 'last_updated') ?? str(r, 'lastUpdated')),
  };
  if (isGroup) ota.group = str(r, 'group');
  return ota;
}

/** `{otas: [...], recordsTotal, recordsFiltered, draw}` -> a page; anything else is an unexpected answer. */
export function mapOtaPage(body: unknown, offset: number, limit: number): DeviceOtaPage {
  if (!isRaw(body) || !Array.isArray(body.otas)) {
    throw new OtaError('unexpected-response', say`IoTaaP answered the OTA listing without its list of OTAs.`, {
      hint: say`Check the IoTaaP API address.`,
    });
  }
  const items = body.otas.filter(isRaw).map(mapDeviceOta);
  const recordsTotal = count(body, 'recordsTotal') ?? offset + items.length;
  const recordsFiltered = count(body, 'recordsFiltered') ?? recordsTotal;
  return {
    items,
    total: recordsFiltered,
    page: limit > 0 ? Math.floor(offset / limit) + 1 : 1,
    pageSize: limit,
    offset,
    recordsTotal,
    recordsFiltered,
    draw: str(body, 'draw'),
  };
}
