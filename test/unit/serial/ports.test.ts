import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findExecutable, formatPort, listPorts, openPort } from '../../../src/core/serial/ports';
import { createVirtualQuecthingPort } from '../../../src/core/serial/virtual/virtualDevices';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';

/** A small sysfs + /dev tree like a laptop with a CP2102, a Pico, one real and one placeholder 8250 UART. */
function fakeSystem(root: string): { sysRoot: string; devRoot: string } {
  const sysRoot = path.join(root, 'sys');
  const devRoot = path.join(root, 'dev');
  const usb = path.join(sysRoot, 'devices/pci0000:00/0000:00:14.0/usb1');
  const files = (dir: string, values: Record<string, string>): void => {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(values)) writeFileSync(path.join(dir, name), `${text}\n`);
  };
  files(path.join(usb, '1-2'), { idVendor: '10c4', idProduct: 'ea60', manufacturer: 'Silicon Labs', product: 'CP2102 USB to UART Bridge Controller', serial: '0001' });
  mkdirSync(path.join(usb, '1-2/1-2:1.0/ttyUSB0'), { recursive: true });
  files(path.join(usb, '1-3'), { idVendor: '2e8a', idProduct: '000a', manufacturer: 'Raspberry Pi', product: 'Pico', serial: 'E6605838' });
  mkdirSync(path.join(usb, '1-3/1-3:1.0'), { recursive: true });
  mkdirSync(path.join(sysRoot, 'devices/platform/serial8250'), { recursive: true });
  const tty = (name: string, target: string | null, extra: Record<string, string> = {}): void => {
    files(path.join(sysRoot, 'class/tty', name), extra);
    if (target) symlinkSync(path.join(sysRoot, target), path.join(sysRoot, 'class/tty', name, 'device'));
  };
  tty('ttyUSB0', 'devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0');
  tty('ttyACM0', 'devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0');
  tty('ttyS0', 'devices/platform/serial8250', { type: '4' });
  tty('ttyS1', 'devices/platform/serial8250', { type: '0' });
  tty('tty0', null);
  mkdirSync(path.join(devRoot, 'serial/by-id'), { recursive: true });
  symlinkSync('../../ttyUSB0', path.join(devRoot, 'serial/by-id/usb-Silicon_Labs_CP2102_0001-if00-port0'));
  return { sysRoot, devRoot };
}

describe('serial port listing', function () {
  this.timeout(10_000);
  let root: string;
  let emptyBin: string;
  let pty: PtyPair | null = null;

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'ota-ports-'));
    emptyBin = path.join(root, 'empty-bin');
    mkdirSync(emptyBin);
  });
  after(async () => {
    await pty?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads sysfs when udevadm is not on PATH, with names, ids, serial numbers and by-id links', async () => {
    const sys = fakeSystem(path.join(root, 'a'));
    const ports = await listPorts({ ...sys, pathEnv: emptyBin, platform: 'linux' });
    assert.deepEqual(ports.map((p) => path.basename(p.path)), ['ttyACM0', 'ttyUSB0']);
    const [pico, cp2102] = ports as [(typeof ports)[0], (typeof ports)[0]];
    assert.equal(pico.label, 'Raspberry Pi Pico');
    assert.equal(pico.description, `2e8a:000a · SN E6605838 · ${sys.devRoot}/ttyACM0`);
    assert.equal(cp2102.label, 'Silicon Labs CP2102 USB to UART Bridge Controller');
    assert.equal(cp2102.vendorId, '10c4');
    assert.equal(cp2102.productId, 'ea60');
    assert.equal(cp2102.serialNumber, '0001');
    assert.equal(cp2102.kind, 'usb');
    assert.equal(cp2102.byIdPath, `${sys.devRoot}/serial/by-id/usb-Silicon_Labs_CP2102_0001-if00-port0`);
    assert.equal(formatPort(cp2102), `${sys.devRoot}/ttyUSB0  Silicon Labs CP2102 USB to UART Bridge Controller  (10c4:ea60 · SN 0001)`);
  });

  it('lists built-in UARTs only when asked, and never the placeholder ones', async () => {
    const sys = fakeSystem(path.join(root, 'b'));
    const ports = await listPorts({ ...sys, pathEnv: emptyBin, platform: 'linux', includeAll: true });
    assert.deepEqual(ports.map((p) => path.basename(p.path)), ['ttyACM0', 'ttyS0', 'ttyUSB0']);
    const s0 = ports.find((p) => p.path.endsWith('ttyS0'))!;
    assert.equal(s0.kind, 'platform');
    assert.equal(s0.label, 'Built-in serial port');
  });

  it('uses udevadm through serialport when it is on PATH, completed with the product name from sysfs', async () => {
    const bin = path.join(root, 'udev-bin');
    mkdirSync(bin);
    const script = path.join(bin, 'udevadm');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        "cat <<'EOF'",
        'P: /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0',
        'N: ttyUSB0',
        'E: DEVNAME=/dev/ttyUSB0',
        'E: ID_VENDOR_ENC=Silicon\\x20Labs',
        'E: ID_SERIAL_SHORT=UDEV01',
        'E: ID_VENDOR_ID=10c4',
        'E: ID_MODEL_ID=ea60',
        '',
        'P: /devices/virtual/tty/tty0',
        'N: tty0',
        '',
        'EOF',
        '',
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    const sys = fakeSystem(path.join(root, 'c'));
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`;
    try {
      // devRoot /dev: udev names the port /dev/ttyUSB0, and so does the sysfs reading it is merged with.
      const ports = await listPorts({ sysRoot: sys.sysRoot, devRoot: '/dev', platform: 'linux' });
      const usb0 = ports.find((p) => p.path === '/dev/ttyUSB0');
      assert.ok(usb0, JSON.stringify(ports));
      assert.equal(usb0.manufacturer, 'Silicon Labs');
      assert.equal(usb0.product, 'CP2102 USB to UART Bridge Controller');
      // The serial number comes from udev (sysfs says 0001), the product name only sysfs knows.
      assert.equal(usb0.description, '10c4:ea60 · SN UDEV01 · /dev/ttyUSB0');
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('lists pseudo-terminals given by path and virtual ports, and skips paths that do not exist', async () => {
    pty = await openPtyPair();
    const virtual = createVirtualQuecthingPort();
    const ports = await listPorts({
      pathEnv: emptyBin,
      extraPaths: [pty.a, '/dev/pts/does-not-exist'],
      virtualPorts: [virtual],
    });
    const mine = ports.find((p) => p.path === pty!.a);
    assert.ok(mine);
    assert.equal(mine.kind, 'pty');
    assert.equal(mine.label, 'Pseudo-terminal');
    assert.ok(!ports.some((p) => p.path === '/dev/pts/does-not-exist'));
    const last = ports[ports.length - 1];
    assert.equal(last.path, 'virtual:quecthing-mcu');
    assert.equal(last.kind, 'virtual');
    assert.equal(last.label, 'Virtual MCU (Quectel OTA)');
  });

  it('opens a virtual port by its path', async () => {
    const virtual = createVirtualQuecthingPort({ paced: false });
    const link = await openPort(virtual.path, { baudRate: 115200 }, [virtual]);
    assert.equal(link.name, 'virtual:quecthing-mcu');
    await link.close();
  });

  it('finds executables on a PATH list', () => {
    assert.equal(findExecutable('udevadm', emptyBin), null);
    assert.equal(findExecutable('sh', `${emptyBin}${path.delimiter}/bin${path.delimiter}/usr/bin`)?.endsWith('/sh'), true);
  });
});
