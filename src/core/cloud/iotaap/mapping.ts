// IoTaaP answers -> the provider-neutral model.
import { OtaError } from '../../errors';
import type { DeviceOta, Page } from '../../model';

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

export function mapDeviceOta(r: Raw): DeviceOta {
  const ota: DeviceOta = {
    id: str(r, '_id') ?? str(r, 'id') ?? '',
    device: str(r, 'device') ?? '',
    owner: str(r, 'owner'),
    path: str(r, 'path'),
    version: str(r, 'version'),
    lastUpdated: iso(str(r, 'last_updated') ?? str(r, 'lastUpdated')),
  };
  if ('group' in r) ota.group = str(r, 'group');
  return ota;
}

/** `{otas: [...], recordsTotal, recordsFiltered, draw}` -> a page; anything else is an unexpected answer. */
export function mapOtaPage(body: unknown, offset: number, limit: number): DeviceOtaPage {
  if (!isRaw(body) || !Array.isArray(body.otas)) {
    throw new OtaError('unexpected-response', 'IoTaaP answered the OTA listing without its list of OTAs.', {
      hint: 'Check the IoTaaP API address.',
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
