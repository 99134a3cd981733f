// The Quectel flow through a real pseudo-terminal pair (socat) and the real serialport binding, against the
// simulated MCU running as a separate process that checks MD5 and SHA-256 of what it read.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FlashSession } from '../../../src/core/serial/session';
import { type FlashResult } from '../../../src/core/serial/sessionTypes';
import { openSerialLink } from '../../../src/core/serial/transport';
import { type McuProcessResult, type PartnerProcess, startMcuProcess } from '../../sims/processes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';

function pattern(size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = size;
  for (let i = 0; i < size; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('quecthing over a real pty pair with the simulated MCU process', function () {
  this.timeout(20_000);
  let pair: PtyPair;
  let mcu: PartnerProcess<McuProcessResult> | null = null;

  beforeEach(async () => {
    pair = await openPtyPair();
  });
  afterEach(async () => {
    await mcu?.stop();
    mcu = null;
    await pair.close();
  });

  async function flash(image: Uint8Array, options: Record<string, unknown>, mcuArgs: string[]): Promise<{ result: FlashResult; device: McuProcessResult; session: FlashSession }> {
    const session = new FlashSession({ protocol: 'quecthing', image, imageName: 'app.bin', port: pair.a, options: { idleTimeoutMs: 3000, ...options } });
    const running = session.start();
    mcu = startMcuProcess(pair.b, ['--timeout-ms', '1000', ...mcuArgs]);
    const [result, device] = await Promise.all([running, mcu.done]);
    return { result, device, session };
  }

  for (const size of [1, 1024, 1025, 2 * 1024 * 1024]) {
    it(`flashes ${size} bytes; the MCU's MD5 and SHA-256 of what it read match the image`, async () => {
      const image = pattern(size);
      const { result, device } = await flash(image, { component: 'STM32', targetVersion: 'V2_0' }, ['--component', 'STM32', '--read-size', '4096']);
      assert.equal(result.result, 'ok', result.message);
      assert.equal(result.bytes, size);
      assert.equal(result.protocol, 'quecthing');
      assert.equal(device.code, 0, device.stderr);
      const report = device.report!;
      assert.equal(report.outcome, 'updated');
      assert.equal(report.size, size);
      assert.equal(report.md5, md5(image));
      assert.equal(report.sha256, sha256(image));
      assert.equal(report.expectedMd5, md5(image));
      assert.equal(report.expectedSha256, sha256(image));
      assert.equal(report.md5Ok, true);
      assert.equal(report.sha256Ok, true);
      assert.equal(report.finalEvent, 10705);
      assert.equal(report.reportedVersion, 'V2_0');
    });
  }

  it('ends as refused when the MCU refuses (AT+QIOTUPDATE=0)', async () => {
    const { result, device } = await flash(pattern(5000), {}, ['--refuse']);
    assert.equal(result.result, 'refused');
    assert.equal(result.message, 'The device refused the update (AT+QIOTUPDATE=0).');
    assert.equal(device.code, 2);
  });

  it('can be cancelled midway, which frees the port', async () => {
    const image = pattern(400_000);
    const session = new FlashSession({ protocol: 'quecthing', image, port: pair.a });
    session.on('progress', (p) => {
      if (p.bytesDone > 20_000) session.cancel();
    });
    const running = session.start();
    mcu = startMcuProcess(pair.b, ['--read-size', '4096', '--flash-delay-ms', '5', '--timeout-ms', '300', '--retries', '1']);
    const result = await running;
    assert.equal(result.result, 'cancelled');
    assert.equal(result.message, 'Cancelled by the user.');
    assert.ok(result.bytes > 20_000 && result.bytes < image.length, String(result.bytes));
    assert.equal(session.snapshot().phase, 'cancelled');
    // The port is closed and unlocked: it opens again at once.
    const again = await openSerialLink(pair.a);
    await again.close();
    const device = await mcu.done;
    assert.notEqual(device.report?.outcome, 'updated');
  });
});
