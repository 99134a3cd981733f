// `ota flash FILE --protocol mcuboot` over a real pty pair against the simulated MCUboot/SMP device process; the
// built dist/cli.js runs as a subprocess, so the bundled cbor2 (an ES module) is exercised too.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMcubootImage } from '../../../src/core/serial/protocols/mcuboot/imageFormat';
import { type SmpDeviceProcess, startSmpDevice } from '../../sims/processes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { childEnv, cli, lastLine, parseJsonOut, runBundle } from './helpers';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function body(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 131 + (i >> 11)) & 0xff;
  return out;
}

describe('cli flash --protocol mcuboot over a real pty pair', function () {
  this.timeout(30_000);
  let pair: PtyPair;
  let dir: string;
  let device: SmpDeviceProcess | null = null;

  beforeEach(async () => {
    pair = await openPtyPair();
    dir = mkdtempSync(join(tmpdir(), 'ota-cli-mcuboot-'));
  });
  afterEach(async () => {
    await device?.stop();
    device = null;
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the bundled CLI uploads, tests, resets and confirms: --json has verified, hash and activeVersion; exit 0', async () => {
    const image = buildMcubootImage(body(40_000), { version: { major: 2, minor: 3, revision: 4 } });
    const file = join(dir, 'zephyr.signed.bin');
    writeFileSync(file, image);
    device = startSmpDevice(pair.b, ['--buf-size', '2048', '--boot-ms', '100']);
    await device.ready;
    const r = await runBundle(['flash', file, '--port', pair.a, '--protocol', 'mcuboot', '--confirm', '--timeout', '3', '--json'], childEnv(dir));
    assert.equal(r.code, 0, r.stderr);
    const out = parseJsonOut(r);
    const tlvHash = sha256(image.subarray(0, image.length - 40));
    assert.deepEqual(
      [out.protocol, out.result, out.verified, out.bytes, out.hash, out.imageVersion, out.activeVersion, out.confirmed, out.mtu],
      ['mcuboot', 'ok', true, image.length, tlvHash, '2.3.4', '2.3.4', true, 2048],
    );
    const report = (await device.stop()).report!;
    assert.equal(report.runningVersion, '2.3.4');
    assert.equal(report.slot0.sha256, sha256(image));
  });

  it('--no-reset --mtu 256: the image waits in slot 1, marked for test; activeVersion is null', async () => {
    const image = buildMcubootImage(body(5000), { version: { major: 1, minor: 1, revision: 0 } });
    const file = join(dir, 'app.signed.bin');
    writeFileSync(file, image);
    device = startSmpDevice(pair.b, ['--buf-size', '4096']);
    await device.ready;
    const r = await cli(['flash', file, '--port', pair.a, '--protocol', 'mcuboot', '--no-reset', '--mtu', '256', '--json'], {});
    assert.equal(r.code, 0, r.stderr);
    const out = parseJsonOut(r);
    assert.deepEqual([out.result, out.verified, out.activeVersion, out.mtu, out.slot], ['ok', true, null, 256, 1]);
    const report = (await device.stop()).report!;
    assert.equal(report.slot1.sha256, sha256(image));
    assert.equal(report.runningVersion, '1.0.0');
  });

  it('refuses a plain .bin with one line naming imgtool, without opening the port', async () => {
    const file = join(dir, 'firmware.bin');
    writeFileSync(file, body(3000));
    const r = await cli(['flash', file, '--port', '/dev/does-not-exist', '--protocol', 'mcuboot'], {});
    assert.notEqual(r.code, 0);
    assert.match(lastLine(r.stderr), /^ota: firmware\.bin is not an MCUboot image \(it does not start with the magic 0x96f3b83d\)\. .*imgtool sign /);
  });
});
