// IoTaaP emulation: `/iotaap/v1` (login, device and group OTA listings, multipart deploys streamed to disk) with the
// response bodies IoTaaP documents, and the device-side `/iotaap/ota/device/latest/:deviceId`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LIMITS } from '../constants';
import { countError, type SandboxContext } from '../context';
import { MalformedFormError, isMultipart } from '../formParser';
import { drain, headerValue, readBody, sendJson } from '../http';
import { recordObject } from '../oss/objects';
import { objectId } from '../random';
import type { IotaapOtaRecord, IotaapUser } from '../state/records';
import { FormTooLargeError, readDeployForm, type DeployEntry, type DeployForm } from './deployForm';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const OBJECT_ID = /^[0-9a-f]{24}$/i;

class IotaapError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

function reply(ctx: SandboxContext, res: ServerResponse, e: IotaapError): void {
  countError(ctx, `iotaap.${e.status}`);
  sendJson(res, e.status, e.detail === undefined ? { message: e.message } : { message: e.message, error: e.detail });
}

/** Handles `/iotaap/...`; `rest` is the path after `/iotaap`. */
export async function handleIotaap(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
  query: URLSearchParams,
): Promise<void> {
  try {
    const latest = /^\/ota\/device\/latest\/([^/]+)$/.exec(rest);
    if (latest && req.method === 'GET') return latestVersion(ctx, res, decodePart(latest[1]));
    if (rest === '/v1/auth/login' && req.method === 'POST') return await login(ctx, req, res);
    const ota = /^\/v1\/ota\/(device|group)$/.exec(rest);
    if (!ota) throw new IotaapError(404, `Cannot ${req.method ?? 'GET'} ${rest}`);
    const kind = ota[1] as 'device' | 'group';
    if (req.method !== 'GET' && req.method !== 'POST') throw new IotaapError(404, `Cannot ${req.method ?? ''} ${rest}`);
    const user = authenticate(ctx, req);
    if (ctx.faults.take('iotaap') !== undefined) {
      ctx.stats.faultsInjected++;
      throw req.method === 'GET'
        ? new IotaapError(500, `Error when getting ${kind} OTA's.`, 'MongoNetworkError: connection timed out')
        : new IotaapError(500, 'Error when uploading firmware file', 'Storage is temporarily unavailable');
    }
    if (req.method === 'GET') listOtas(ctx, res, user, kind, query);
    else await deploy(ctx, req, res, user, kind);
  } catch (e) {
    drain(req, res);
    if (e instanceof IotaapError) reply(ctx, res, e);
    else throw e;
  }
}

/** A %-encoded path part; a malformed one is the client's mistake (400), not a server error. */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new IotaapError(400, 'The path is not valid %-encoding');
  }
}

async function login(ctx: SandboxContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: { email?: unknown; password?: unknown };
  try {
    const text = (await readBody(req, 64 * 1024)).toString('utf8');
    const type = headerValue(req, 'content-type') ?? '';
    body = type.includes('application/x-www-form-urlencoded')
      ? Object.fromEntries(new URLSearchParams(text))
      : (JSON.parse(text || '{}') as typeof body);
  } catch {
    throw new IotaapError(400, 'Request body is not valid JSON');
  }
  // `null`, a list or a number is valid JSON but no login.
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new IotaapError(400, 'email is a mandatory field');
  if (typeof body.email !== 'string' || body.email === '') throw new IotaapError(400, 'email is a mandatory field');
  if (typeof body.password !== 'string' || body.password === '') throw new IotaapError(400, 'password is a mandatory field');
  const email = body.email.toLowerCase();
  const user = ctx.store.iotaap.users.find((u) => u.email.toLowerCase() === email);
  if (!user || user.password !== body.password) throw new IotaapError(401, 'Wrong email or password');
  const now = ctx.now();
  const token = ctx.ids.alnum(48);
  const sessions = ctx.store.iotaap.sessions.filter((s) => s.expiresAt > now);
  sessions.push({ token, userId: user.id, expiresAt: now + LIMITS.iotaapTokenMs });
  ctx.store.iotaap.sessions = sessions;
  ctx.store.touchIotaap();
  await ctx.store.flush();
  sendJson(res, 200, { user: { id: user.id, role: user.role }, token });
}

function authenticate(ctx: SandboxContext, req: IncomingMessage): IotaapUser {
  const header = headerValue(req, 'authorization') ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new IotaapError(401, 'Unauthorized');
  const token = m[1];
  const { users, sessions } = ctx.store.iotaap;
  const byApiToken = users.find((u) => u.apiToken === token);
  if (byApiToken) return byApiToken;
  const session = sessions.find((s) => s.token === token);
  if (!session) throw new IotaapError(401, 'Unauthorized');
  if (session.expiresAt <= ctx.now()) throw new IotaapError(401, 'Token expired, log in again');
  const user = users.find((u) => u.id === session.userId);
  if (!user) throw new IotaapError(401, 'Unauthorized');
  return user;
}

function nonNegativeInt(value: string | null, fallback: number): number {
  if (value === null || !/^\d+$/.test(value)) return fallback;
  return Number(value);
}

function listOtas(
  ctx: SandboxContext,
  res: ServerResponse,
  user: IotaapUser,
  kind: 'device' | 'group',
  query: URLSearchParams,
): void {
  const all = ctx.store.iotaap.otas.filter((o) => o.kind === kind && o.owner === user.id);
  const search = (query.get('search_value') ?? '').toLowerCase();
  const filtered = search ? all.filter((o) => o.path.toLowerCase().includes(search)) : all;
  const desc = (query.get('order_dir') ?? 'desc').toLowerCase() !== 'asc';
  filtered.sort((a, b) => (desc ? b.lastUpdated - a.lastUpdated : a.lastUpdated - b.lastUpdated));
  const offset = nonNegativeInt(query.get('offset'), 0);
  const limit = nonNegativeInt(query.get('limit'), 10);
  sendJson(res, 200, {
    otas: filtered.slice(offset, offset + limit).map((o) => ({
      _id: o._id,
      [kind]: o.target,
      __v: 0,
      last_updated: new Date(o.lastUpdated).toISOString(),
      owner: o.owner,
      path: o.path,
      version: o.version,
    })),
    recordsTotal: all.length,
    recordsFiltered: filtered.length,
    draw: query.get('draw') ?? '',
  });
}

function textField(entries: DeployEntry[], name: string): string | undefined {
  const entry = entries.find(([n]) => n === name);
  return entry && typeof entry[1] === 'string' && entry[1].trim() !== '' ? entry[1].trim() : undefined;
}

const requiredFields = (kind: 'device' | 'group'): string[] => (kind === 'device' ? ['device', 'token', 'version'] : ['group', 'version']);

/**
 * Checks a deploy's form in the order IoTaaP answers; returns where its image goes. `fileBytes` undefined: the image
 * has not arrived yet, and what is checked is only what does not depend on it.
 */
function checkDeploy(ctx: SandboxContext, user: IotaapUser, kind: 'device' | 'group', entries: DeployEntry[], fileBytes?: number): { path: string; target: string; version: string } {
  for (const name of requiredFields(kind)) {
    if (textField(entries, name) === undefined) throw new IotaapError(400, `${name} is a mandatory field`);
  }
  const target = textField(entries, kind) as string;
  const version = textField(entries, 'version') as string;
  if (!OBJECT_ID.test(target)) throw new IotaapError(400, kind === 'device' ? 'Device ID is not valid' : 'Group ID is not valid');
  if (fileBytes !== undefined) {
    const file = entries.find(([n]) => n === 'firmware')?.[1];
    if (typeof file !== 'object' || fileBytes === 0) throw new IotaapError(400, 'No file uploaded');
  }
  let path: string;
  if (kind === 'device') {
    const device = ctx.store.iotaap.devices.find((d) => d._id === target.toLowerCase() && d.owner === user.id);
    if (!device) throw new IotaapError(404, 'No such device');
    if (textField(entries, 'token') !== device.token) throw new IotaapError(400, 'Device token is not valid');
    path = `ota/device/${device._id}${device.token}/firmware.bin`;
  } else {
    const group = ctx.store.iotaap.groups.find((g) => g._id === target.toLowerCase() && g.owner === user.id);
    if (!group) throw new IotaapError(404, 'No such group');
    path = `ota/group/${group._id}/firmware.bin`;
  }
  if (!SEMVER.test(version)) throw new IotaapError(400, 'version must be a semantic version, e.g. 1.5.7');
  return { path, target, version };
}

/** The fields before the image refuse the deploy whatever the image is (the first of each name counts). */
function refusedBeforeImage(ctx: SandboxContext, user: IotaapUser, kind: 'device' | 'group', entries: DeployEntry[]): boolean {
  // A missing field may still come after the image.
  if (requiredFields(kind).some((name) => !entries.some(([n]) => n === name))) return false;
  try {
    checkDeploy(ctx, user, kind, entries);
    return false;
  } catch (e) {
    if (e instanceof IotaapError) return true;
    throw e;
  }
}

async function deploy(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  user: IotaapUser,
  kind: 'device' | 'group',
): Promise<void> {
  let form: DeployForm = { entries: [], fileBytes: 0 };
  if (isMultipart(req)) {
    try {
      form = await readDeployForm(ctx, req, (entries) => refusedBeforeImage(ctx, user, kind, entries));
    } catch (e) {
      if (e instanceof FormTooLargeError) throw new IotaapError(500, 'Error when uploading firmware file', 'File too large');
      if (e instanceof MalformedFormError) throw new IotaapError(400, 'No file uploaded');
      if (req.destroyed && !req.complete) {
        // The client went away (or the connection broke) mid-form: there is no one to answer.
        ctx.log('debug', `IoTaaP: a deploy to a ${kind} ended before its form did (${(e as Error).message}); nothing was stored`);
        return;
      }
      throw e;
    }
  }
  const { upload } = form;
  let record: IotaapOtaRecord;
  try {
    const { path, target, version } = checkDeploy(ctx, user, kind, form.entries, form.fileBytes);
    if (!upload) throw new Error('the image of the deploy was not stored');
    const now = ctx.now();
    const stored = await upload.commit(ctx.store.objectFile('iotaap', path));
    recordObject(ctx.store, 'iotaap', path, stored, 'application/octet-stream', now);
    const otas = ctx.store.iotaap.otas;
    const existing = otas.find((o) => o.kind === kind && o.target === target.toLowerCase());
    record = {
      _id: existing?._id ?? objectId(ctx.ids),
      target: target.toLowerCase(),
      kind,
      owner: user.id,
      path,
      version,
      lastUpdated: now,
      objectKey: path,
    };
    if (existing) otas.splice(otas.indexOf(existing), 1, record);
    else otas.push(record);
  } catch (e) {
    await upload?.discard();
    throw e;
  }
  ctx.store.touchIotaap();
  await ctx.store.flush();
  ctx.log('info', `IoTaaP: ${kind} ${record.target} gets version ${record.version}`);
  sendJson(res, 201, { message: 'Firmware successfully deployed' });
}

/** What a device asks: the version of its newest OTA, its own or its groups'. */
function latestVersion(ctx: SandboxContext, res: ServerResponse, deviceId: string): void {
  const device = ctx.store.iotaap.devices.find((d) => d._id === deviceId.toLowerCase());
  if (!device) throw new IotaapError(404, 'No such device');
  const newest = ctx.store.iotaap.otas
    .filter((o) => (o.kind === 'device' && o.target === device._id) || (o.kind === 'group' && device.groupIds.includes(o.target)))
    .sort((a, b) => b.lastUpdated - a.lastUpdated)[0];
  if (!newest) throw new IotaapError(404, 'No OTA update for this device');
  sendJson(res, 200, { ver: newest.version });
}
