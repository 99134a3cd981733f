// Listing serial ports with names a person recognises, and opening a port by path (real or virtual).
//
// On Linux `SerialPort.list()` spawns `udevadm info -e`; when udevadm is missing that spawn error escapes as an
// uncaught exception and kills the process. So udevadm is looked up on PATH first, and without it the ports are
// read from sysfs (/sys/class/tty/*/device and the USB device above it) and /dev/serial/by-id directly.

import { promises as fs, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import { SerialPort } from 'serialport';
import { say } from '../sentences';
import { type ByteLink } from './byteLink';
import { normalizeSerialSettings, openSerialLink, type SerialSettings } from './transport';

export type PortKind = 'usb' | 'platform' | 'pty' | 'virtual' | 'other';

export interface PortInfo {
  path: string;
  /** A name a person recognises: "Silicon Labs CP2102 USB to UART Bridge Controller", "Pseudo-terminal"... */
  label: string;
  /** The identifying details: "10c4:ea60 · SN 0001 · /dev/ttyUSB0". */
  description: string;
  kind: PortKind;
  manufacturer: string | null;
  product: string | null;
  serialNumber: string | null;
  /** Four lower-case hex digits. */
  vendorId: string | null;
  productId: string | null;
  /** The stable /dev/serial/by-id/... link to this port, when there is one. */
  byIdPath: string | null;
}

/** A device that lives inside the extension (the sandbox's virtual MCUs), listed and opened like a port. */
export interface VirtualPort {
  /** Unique, and not a file path: e.g. "virtual:quecthing-mcu". */
  readonly path: string;
  readonly label: string;
  readonly description?: string;
  open(settings: Required<SerialSettings>): Promise<ByteLink>;
}

export interface ListPortsOptions {
  /** Listed after the real ports. */
  virtualPorts?: readonly VirtualPort[];
  /** Device paths to list too when they exist, e.g. pseudo-terminals (/dev/pts/3) that no enumeration shows. */
  extraPaths?: readonly string[];
  /** Also list built-in ttyS* ports that have no USB vendor or product id. Default false. */
  includeAll?: boolean;
  /** For tests: where sysfs and /dev are. */
  sysRoot?: string;
  devRoot?: string;
  /** The PATH searched for udevadm (default process.env.PATH). */
  pathEnv?: string;
  platform?: NodeJS.Platform;
}

interface RawPort {
  path: string;
  kind: PortKind;
  manufacturer: string | null;
  product: string | null;
  serialNumber: string | null;
  vendorId: string | null;
  productId: string | null;
}

/** The full path of an executable found on `pathEnv`, or null. */
export function findExecutable(name: string, pathEnv = process.env.PATH ?? ''): string | null {
  for (const dir of pathEnv.split(nodePath.delimiter)) {
    if (!dir) continue;
    const candidate = nodePath.join(dir, name);
    try {
      const st = statSync(candidate);
      if (st.isFile() && st.mode & 0o111) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export async function listPorts(options: ListPortsOptions = {}): Promise<PortInfo[]> {
  const platform = options.platform ?? process.platform;
  const devRoot = options.devRoot ?? '/dev';
  const sysRoot = options.sysRoot ?? '/sys';
  let raw: RawPort[];
  if (platform === 'linux') {
    const sysfs = await listSysfsPorts(sysRoot, devRoot);
    raw = sysfs;
    if (findExecutable('udevadm', options.pathEnv ?? process.env.PATH ?? '')) {
      // udevadm can still fail (no udev database in a container): sysfs alone is then the answer.
      const viaUdev = await listWithSerialport().catch(() => null);
      if (viaUdev) raw = mergeByPath(viaUdev, sysfs);
    }
  } else {
    raw = await listWithSerialport();
  }
  if (!options.includeAll) raw = raw.filter((p) => !(p.kind === 'platform' && !p.vendorId));
  const byId = platform === 'linux' ? await readByIdLinks(devRoot) : new Map<string, string>();
  const out: PortInfo[] = raw.map((p) => toPortInfo(p, byId.get(p.path) ?? null));
  const seen = new Set(out.map((p) => p.path));
  for (const path of options.extraPaths ?? []) {
    if (seen.has(path) || !isCharacterDevice(path)) continue;
    seen.add(path);
    const kind: PortKind = /^\/dev\/(pts\/|tty[pq])/.test(path) ? 'pty' : 'other';
    out.push(toPortInfo({ path, kind, manufacturer: null, product: null, serialNumber: null, vendorId: null, productId: null }, null));
  }
  out.sort((a, b) => comparePaths(a.path, b.path));
  for (const vp of options.virtualPorts ?? []) {
    if (seen.has(vp.path)) continue;
    seen.add(vp.path);
    out.push({
      path: vp.path,
      label: vp.label,
      description: vp.description ?? say`virtual device · ${vp.path}`,
      kind: 'virtual',
      manufacturer: null,
      product: null,
      serialNumber: null,
      vendorId: null,
      productId: null,
      byIdPath: null,
    });
  }
  return out;
}

/** Opens `path` as a ByteLink: a virtual port when one has that path, else the serial port. */
export async function openPort(
  path: string,
  settings: Partial<SerialSettings> = {},
  virtualPorts: readonly VirtualPort[] = [],
): Promise<ByteLink> {
  const normalized = normalizeSerialSettings(settings);
  const virtual = virtualPorts.find((vp) => vp.path === path);
  if (virtual) return await virtual.open(normalized);
  return await openSerialLink(path, normalized);
}

/** One line for a terminal: path, name and identifying details. */
export function formatPort(port: PortInfo): string {
  const details = port.description
    .split(' · ')
    .filter((part) => part !== port.path)
    .join(' · ');
  return `${port.path}  ${port.label}${details ? `  (${details})` : ''}`;
}

function toPortInfo(p: RawPort, byIdPath: string | null): PortInfo {
  const manufacturer = clean(p.manufacturer);
  const product = clean(p.product);
  let label: string;
  if (product && manufacturer && !product.toLowerCase().includes(manufacturer.toLowerCase())) {
    label = `${manufacturer} ${product}`;
  } else if (product || manufacturer) {
    label = (product ?? manufacturer)!;
  } else if (byIdPath) {
    label = nodePath.basename(byIdPath).replace(/^usb-/, '').replace(/-if\d+(-port\d+)?$/, '').replace(/_/g, ' ');
  } else {
    label = { usb: say`USB serial port`, platform: say`Built-in serial port`, pty: say`Pseudo-terminal`, virtual: say`Virtual device`, other: say`Serial port` }[p.kind];
  }
  const parts: string[] = [];
  if (p.vendorId && p.productId) parts.push(`${p.vendorId}:${p.productId}`);
  if (p.serialNumber) parts.push(`SN ${p.serialNumber}`);
  parts.push(p.path);
  return {
    path: p.path,
    label,
    description: parts.join(' · '),
    kind: p.kind,
    manufacturer,
    product,
    serialNumber: clean(p.serialNumber),
    vendorId: p.vendorId,
    productId: p.productId,
    byIdPath,
  };
}

function clean(value: string | null | undefined): string | null {
  if (value == null) return null;
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\x00-\x1f\x7f]/g, '').trim();
  return text || null;
}

function hexId(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.trim().replace(/^0x/i, '').toLowerCase();
  return /^[0-9a-f]{1,4}$/.test(v) ? v.padStart(4, '0') : null;
}

async function listWithSerialport(): Promise<RawPort[]> {
  const ports = await SerialPort.list();
  return ports.map((p) => ({
    path: p.path,
    kind: p.vendorId ? 'usb' : /ttyS\d+$/.test(p.path) ? 'platform' : /^\/dev\/pts\//.test(p.path) ? 'pty' : 'other',
    manufacturer: p.manufacturer ?? null,
    product: (p as { friendlyName?: string }).friendlyName ?? null,
    serialNumber: p.serialNumber ?? null,
    vendorId: hexId(p.vendorId),
    productId: hexId(p.productId),
  }));
}

/** Ports from udevadm, completed with what sysfs knows (udev gives no product name) and what only sysfs saw. */
function mergeByPath(primary: RawPort[], sysfs: RawPort[]): RawPort[] {
  const bySys = new Map(sysfs.map((p) => [p.path, p]));
  const out = primary.map((p) => {
    const s = bySys.get(p.path);
    bySys.delete(p.path);
    if (!s) return p;
    return {
      ...p,
      kind: s.kind,
      manufacturer: p.manufacturer ?? s.manufacturer,
      product: p.product ?? s.product,
      serialNumber: p.serialNumber ?? s.serialNumber,
      vendorId: p.vendorId ?? s.vendorId,
      productId: p.productId ?? s.productId,
    };
  });
  return [...out, ...bySys.values()];
}

async function readText(path: string): Promise<string | null> {
  try {
    return (await fs.readFile(path, 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/** Serial ports from /sys/class/tty: every tty backed by a device, with the ids of the USB device above it. */
export async function listSysfsPorts(sysRoot = '/sys', devRoot = '/dev'): Promise<RawPort[]> {
  const classDir = nodePath.join(sysRoot, 'class', 'tty');
  let names: string[];
  try {
    names = await fs.readdir(classDir);
  } catch {
    return [];
  }
  const rootReal = await fs.realpath(sysRoot).catch(() => sysRoot);
  const out: RawPort[] = [];
  for (const name of names) {
    let deviceDir: string;
    try {
      deviceDir = await fs.realpath(nodePath.join(classDir, name, 'device'));
    } catch {
      continue; // virtual consoles, ptmx...: no device behind them
    }
    const port: RawPort = {
      path: nodePath.join(devRoot, name),
      kind: 'other',
      manufacturer: null,
      product: null,
      serialNumber: null,
      vendorId: null,
      productId: null,
    };
    for (let dir = deviceDir; dir.startsWith(rootReal) && dir.length > rootReal.length; dir = nodePath.dirname(dir)) {
      const vendor = await readText(nodePath.join(dir, 'idVendor'));
      if (!vendor) continue;
      port.kind = 'usb';
      port.vendorId = hexId(vendor);
      port.productId = hexId(await readText(nodePath.join(dir, 'idProduct')));
      port.manufacturer = await readText(nodePath.join(dir, 'manufacturer'));
      port.product = await readText(nodePath.join(dir, 'product'));
      port.serialNumber = await readText(nodePath.join(dir, 'serial'));
      break;
    }
    if (port.kind !== 'usb' && /^ttyS\d+$/.test(name)) {
      // The kernel registers placeholder 8250 ports; a UART type of 0 means nothing is there.
      if ((await readText(nodePath.join(classDir, name, 'type'))) === '0') continue;
      port.kind = 'platform';
    }
    out.push(port);
  }
  return out;
}

async function readByIdLinks(devRoot: string): Promise<Map<string, string>> {
  const dir = nodePath.join(devRoot, 'serial', 'by-id');
  const map = new Map<string, string>();
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return map;
  }
  for (const name of names) {
    const link = nodePath.join(dir, name);
    try {
      const target = await fs.readlink(link);
      map.set(nodePath.resolve(dir, target), link);
    } catch {
      // not a link
    }
  }
  return map;
}

function isCharacterDevice(path: string): boolean {
  try {
    return statSync(path).isCharacterDevice();
  } catch {
    return false;
  }
}

/** ttyUSB2 before ttyUSB10. */
function comparePaths(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

