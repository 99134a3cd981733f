// ESP boards recognised by their USB bridge's VID:PID (the Serial view's labels and the protocol it pre-selects),
// and the USB-Serial/JTAG reset sequence chosen for Espressif's own USB.

import * as assert from 'node:assert/strict';
import { espBridgeName, isUsbSerialJtag } from '../../../src/core/serial/protocols/esp/chips';
import { type PortInfo } from '../../../src/core/serial/ports';
import { toPortEntry, type PortWords } from '../../../src/extension/serial/portEntry';
import { flashHolds, flashSim, randomImage, simBoard } from './espHelpers';

function usbPort(vendorId: string, productId: string): PortInfo {
  return {
    path: '/dev/ttyUSB0',
    label: 'USB serial',
    description: `${vendorId}:${productId} · /dev/ttyUSB0`,
    kind: 'usb',
    manufacturer: null,
    product: null,
    serialNumber: null,
    vendorId,
    productId,
    byIdPath: null,
  };
}

describe('ESP boards by VID:PID', () => {
  it('knows the bridges ESP boards use, and nothing else', () => {
    assert.equal(espBridgeName('303a', '1001'), 'Espressif USB');
    assert.equal(espBridgeName('303A', '0002'), 'Espressif USB');
    assert.equal(espBridgeName('10c4', 'ea60'), 'CP210x');
    assert.equal(espBridgeName('1a86', '7523'), 'CH34x');
    assert.equal(espBridgeName('1a86', '55d4'), 'CH34x');
    assert.equal(espBridgeName('0403', '6001'), 'FTDI');
    assert.equal(espBridgeName('0403', '6015'), 'FTDI');
    assert.equal(espBridgeName('0403', '6010'), null);
    assert.equal(espBridgeName('0483', '5740'), null, 'an STM32 virtual COM port');
    assert.equal(espBridgeName(null, null), null);
    assert.equal(isUsbSerialJtag('303a', '1001'), true);
    assert.equal(isUsbSerialJtag('303a', '0002'), false);
  });

  it('labels the Serial view entries with the bridge and VID:PID', () => {
    const words: PortWords = {
      virtualPort: (p) => ({ label: p.label, description: p.description }),
      spoken: (text) => text,
      manufacturer: (n) => `Manufacturer: ${n}`,
      serialNumber: (n) => `Serial number: ${n}`,
      stablePath: (n) => `Stable path: ${n}`,
      espBridge: (bridge, usbId) => `${bridge} USB bridge (${usbId}): flashed with the ESP ROM loader by default`,
    };
    const cp210x = toPortEntry(usbPort('10c4', 'ea60'), words);
    assert.equal(cp210x.espBridge, 'CP210x');
    assert.equal(cp210x.usbId, '10c4:ea60');
    assert.ok(cp210x.details.some((d) => /CP210x USB bridge \(10c4:ea60\): flashed with the ESP ROM loader by default/.test(d)));
    const other = toPortEntry(usbPort('0483', '5740'), words);
    assert.equal(other.espBridge, null);
    assert.equal(other.usbId, '0483:5740');
  });

  it('resets a USB-Serial/JTAG board (303a:1001) with its own sequence, and restarts it at the end', async function () {
    this.timeout(30000);
    const { host, sim } = simBoard({ boot: 'app', usbJtag: true });
    const image = randomImage(30000);
    const { result } = await flashSim(host, image, { usbId: '303a:1001' });
    assert.equal(result.result, 'ok', result.message);
    assert.ok(flashHolds(sim, 0x10000, image));
    assert.deepEqual(sim.stats.boots.map((b) => b.mode), ['rom', 'app']);
  });

  it('the classic sequence does not get a USB-Serial/JTAG board into download mode (so the VID:PID matters)', async function () {
    this.timeout(30000);
    const { host, sim } = simBoard({ boot: 'app', usbJtag: true });
    const { result } = await flashSim(host, randomImage(4096));
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'no-sync');
    assert.ok(sim.stats.boots.every((b) => b.mode === 'app'));
  });
});
