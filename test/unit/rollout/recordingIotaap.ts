// A loopback IoTaaP for the rollout tests that records every call: the device OTA listing (paged, with the device
// token in each stored path as IoTaaP has it) and multipart deploys checked as IoTaaP checks them (the account's
// bearer token, a known device, its own device token, a semantic version, a file). The test decides what else
// happens: refusals per device, and a hook that runs once a deploy is stored and before it is answered (a step that
// dies there has deployed without hearing so).
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Response } from 'undici';
import { IotaapClient } from '../../../src/core/cloud/iotaap/client';
import { sendJson, startLoopback, type Loopback } from '../net/loopback';

export const ACCOUNT_TOKEN = 'acct-bearer-7c1f0d';

export interface FleetDevice {
  id: string;
  token: string;
}

export interface DeployCall {
  device: string;
  token: string;
  version: string;
  fileName: string;
  sha256: string;
  bytes: number;
  /** The status it was answered with (0: the client went away before the answer). */
  status: number;
  /** Deploys stored at the moment this one arrived (to tell calls of different waves apart). */
  serial: number;
}

export interface LastOta {
  version: string;
  lastUpdated: number;
}

export interface RecordingIotaap {
  server: Loopback;
  client: IotaapClient;
  devices: FleetDevice[];
  /** The last OTA of each device id, as GET /ota/device lists it. */
  otas: Map<string, LastOta>;
  deploys: DeployCall[];
  listings: number;
  /** A refusal the server gives for a device instead of deploying. */
  refuse: Map<string, { status: number; message: string }>;
  /** Runs after a deploy was stored, before the answer goes out. */
  afterStore: ((call: DeployCall) => void | Promise<void>) | null;
  /** Deploys that IoTaaP stored, per device. */
  storedFor(device: string): number;
  close(): Promise<void>;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Device ids as IoTaaP makes them (24 hex digits), tokens of 12 characters. */
export function fleetDevices(n: number): FleetDevice[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `5f00aa00bb00cc00dd${i.toString(16).padStart(6, '0')}`,
    token: `Tk${String(i).padStart(4, '0')}x${'QwErTy'.slice(0, 5)}`,
  }));
}

export async function startRecordingIotaap(options: { devices: number; clock?: () => number; versionOf?: (i: number) => string | null }): Promise<RecordingIotaap> {
  const clock = options.clock ?? Date.now;
  const devices = fleetDevices(options.devices);
  const otas = new Map<string, LastOta>();
  devices.forEach((d, i) => {
    const v = options.versionOf?.(i) ?? null;
    if (v) otas.set(d.id, { version: v, lastUpdated: clock() - 30 * 86_400_000 });
  });
  const deploys: DeployCall[] = [];
  const stored = new Map<string, number>();
  const state = { listings: 0 };
  const refuse = new Map<string, { status: number; message: string }>();
  const hooks: { afterStore: RecordingIotaap['afterStore'] } = { afterStore: null };

  const server = await startLoopback(async (req, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${ACCOUNT_TOKEN}`) return sendJson(res, 401, { message: 'Unauthorized' });
    const path = req.url.pathname;
    if (path === '/v1/ota/device' && req.method === 'GET') {
      state.listings++;
      const offset = Number(req.url.searchParams.get('offset') ?? 0);
      const limit = Number(req.url.searchParams.get('limit') ?? 10);
      const all = devices.filter((d) => otas.has(d.id));
      const page = all.slice(offset, offset + limit).map((d, i) => {
        const o = otas.get(d.id) as LastOta;
        return { _id: `ota${offset + i}`, device: d.id, __v: 0, owner: 'u1', path: `ota/device/${d.id}${d.token}/firmware.bin`, version: o.version, last_updated: new Date(o.lastUpdated).toISOString() };
      });
      return sendJson(res, 200, { otas: page, recordsTotal: all.length, recordsFiltered: all.length, draw: '' });
    }
    if (path === '/v1/ota/device' && req.method === 'POST') {
      const form = await new Response(req.body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
      const text = (name: string): string => {
        const v = form.get(name);
        return typeof v === 'string' ? v : '';
      };
      const file = form.get('firmware');
      const bytes = file && typeof file !== 'string' ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
      const call: DeployCall = {
        device: text('device'),
        token: text('token'),
        version: text('version'),
        fileName: file && typeof file !== 'string' ? file.name : '',
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.length,
        status: 0,
        serial: deploys.length,
      };
      deploys.push(call);
      const answer = (status: number, message: string): void => {
        call.status = status;
        sendJson(res, status, { message });
      };
      for (const name of ['device', 'token', 'version']) if (!text(name)) return answer(400, `${name} is a mandatory field`);
      if (bytes.length === 0) return answer(400, 'No file uploaded');
      const forced = refuse.get(call.device);
      if (forced) return answer(forced.status, forced.message);
      const device = devices.find((d) => d.id === call.device.toLowerCase());
      if (!device) return answer(404, 'No such device');
      if (device.token !== call.token) return answer(400, 'Device token is not valid');
      if (!SEMVER.test(call.version)) return answer(400, 'version must be a semantic version');
      otas.set(device.id, { version: call.version, lastUpdated: clock() });
      stored.set(device.id, (stored.get(device.id) ?? 0) + 1);
      await hooks.afterStore?.(call);
      if (res.destroyed) return;
      return answer(201, 'Firmware successfully deployed');
    }
    return sendJson(res, 404, { message: `Cannot ${req.method} ${path}` });
  });

  const client = new IotaapClient({ baseUrl: `${server.url}v1`, token: ACCOUNT_TOKEN, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  return {
    server,
    client,
    devices,
    otas,
    deploys,
    get listings() {
      return state.listings;
    },
    refuse,
    get afterStore() {
      return hooks.afterStore;
    },
    set afterStore(fn) {
      hooks.afterStore = fn;
    },
    storedFor: (device) => stored.get(device.toLowerCase()) ?? 0,
    close: () => server.close(),
  };
}
