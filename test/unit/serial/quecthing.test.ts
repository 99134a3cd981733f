// The Quectel module side against a scripted MCU (exact bytes) and against the simulated MCU, in-process.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { OtaError } from '../../../src/core/errors';
import { crc32 } from '../../../src/core/serial/checksums';
import { LinkReader } from '../../../src/core/serial/linkReader';
import { quecthingProtocol } from '../../../src/core/serial/protocols/quecthing';
import { type ProtocolEvent, type ProtocolOutcome } from '../../../src/core/serial/protocols/types';
import { runQuecMcu, type QuecMcuOptions } from '../../../src/core/serial/virtual/quecMcu';
import { createVirtualLinkPair } from '../../../src/core/serial/virtualLink';

function pattern(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The module side on one end of a virtual link; the test plays the MCU on the other. */
function startModule(image: Uint8Array, options: Record<string, unknown> = {}) {
  const [host, mcu] = createVirtualLinkPair({ names: ['module', 'mcu'] });
  const events: ProtocolEvent[] = [];
  const controller = new AbortController();
  const outcome: Promise<ProtocolOutcome> = quecthingProtocol.run({
    link: host,
    image,
    regions: [{ address: null, data: image, name: "image.bin" }],
    imageName: 'fw.bin',
    options,
    signal: controller.signal,
    report: (e) => events.push(e),
  });
  const reader = new LinkReader(mcu);
  return {
    host,
    mcu,
    events,
    controller,
    outcome,
    reader,
    send: (text: string) => mcu.write(Buffer.from(text, 'latin1')),
    /** The next non-empty line. */
    async line(): Promise<string> {
      for (;;) {
        const l = await reader.readLine(2000);
        if (l !== '') return l;
      }
    },
    /** Reads exactly as many bytes as `expected` has, and returns them. */
    async expectRaw(expected: string): Promise<string> {
      return (await reader.readExact(expected.length, 2000)).toString('latin1');
    },
    close() {
      reader.dispose();
      void host.close();
    },
  };
}

/** Module and simulated MCU over an in-process link. */
async function flashToSimulatedMcu(image: Uint8Array, moduleOptions: Record<string, unknown>, mcuOptions: QuecMcuOptions) {
  const [host, mcu] = createVirtualLinkPair({ names: ['module', 'mcu'] });
  const events: ProtocolEvent[] = [];
  const [outcome, device] = await Promise.all([
    quecthingProtocol.run({ link: host, image, regions: [{ address: null, data: image, name: "fw.bin" }], imageName: 'fw.bin', options: moduleOptions, signal: new AbortController().signal, report: (e) => events.push(e) }),
    runQuecMcu(mcu, { responseTimeoutMs: 500, ...mcuOptions }),
  ]);
  await host.close();
  return { outcome, device, events };
}

describe('quecthing module side (scripted MCU, exact bytes)', function () {
  this.timeout(10_000);

  it('runs the documented sequence with exact framing, short last block, ranges and errors', async () => {
    const image = Buffer.from('0123456789', 'latin1');
    const m = startModule(image, { component: 'STM32', targetVersion: 'V2_0' });
    try {
      assert.equal(await m.line(), '+QIOTEVT: 7,10700,"STM32","","V2_0",30,-113,10');
      await m.send('AT+QIOTMCUVER="STM32","V1_0"\r');
      assert.equal(await m.line(), 'OK');
      await m.send('AT+QIOTOTAREQ=1\r');
      assert.equal(await m.line(), 'OK');
      assert.equal(await m.line(), '+QIOTEVT: 7,10700,"STM32","","V2_0",30,-113,10');
      await m.send('AT+QIOTOTARD=?\r');
      assert.equal(await m.line(), '+QIOTOTARD: (1-4096)');
      assert.equal(await m.line(), 'OK');
      await m.send('AT+QIOTOTARD=0,4\r'); // nothing confirmed yet
      assert.equal(await m.line(), 'ERROR');
      await m.send('AT+QIOTUPDATE=1\r');
      assert.equal(await m.line(), 'OK');
      const md5 = createHash('md5').update(image).digest('hex');
      const sha = createHash('sha256').update(image).digest('hex');
      assert.equal(await m.line(), `+QIOTEVT: 7,10701,"STM32",10,"${md5}",${crc32(image)},"${sha}"`);
      assert.equal(await m.line(), '+QIOTEVT: 7,10702');
      assert.equal(await m.line(), '+QIOTEVT: 7,10703,"STM32",10,0,10');
      assert.equal(await m.line(), '+QIOTEVT: 7,10704');
      await m.send('AT+QIOTOTARD=0,4\r');
      assert.equal(await m.expectRaw('\r\n+QIOTOTARD: 0,4\r\n0123\r\nOK\r\n'), '\r\n+QIOTOTARD: 0,4\r\n0123\r\nOK\r\n');
      await m.send('AT+QIOTOTARD=8,4\r');
      assert.equal(await m.expectRaw('\r\n+QIOTOTARD: 8,2\r\n89\r\nOK\r\n'), '\r\n+QIOTOTARD: 8,2\r\n89\r\nOK\r\n');
      for (const bad of ['10,1', '0,0', '0,4097', 'abc,4', '-1,5', '1', '1,2,3']) {
        await m.send(`AT+QIOTOTARD=${bad}\r`);
        assert.equal(await m.line(), 'ERROR', bad);
      }
      await m.send('AT+QIOTOTARD=4,4\r');
      assert.equal(await m.expectRaw('\r\n+QIOTOTARD: 4,4\r\n4567\r\nOK\r\n'), '\r\n+QIOTOTARD: 4,4\r\n4567\r\nOK\r\n');
      await m.send('AT+QIOTOTARD=0,4\r'); // a re-read counts as a retry, not as new bytes
      assert.equal(await m.expectRaw('\r\n+QIOTOTARD: 0,4\r\n0123\r\nOK\r\n'), '\r\n+QIOTOTARD: 0,4\r\n0123\r\nOK\r\n');
      await m.send('AT+QIOTUPDATE=2\r'); // there is no second piece
      assert.equal(await m.line(), 'ERROR');
      await m.send('AT+QIOTUPDATE=?\r');
      assert.equal(await m.line(), '+QIOTUPDATE: (0-3)');
      assert.equal(await m.line(), 'OK');
      await m.send('AT+QIOTUPDATE=3\r');
      assert.equal(await m.line(), 'OK');
      await m.send('AT+QIOTMCUVER="STM32","V2_0"\r');
      assert.equal(await m.line(), 'OK');
      assert.equal(await m.line(), '+QIOTEVT: 7,10705');
      const outcome = await m.outcome;
      assert.equal(outcome.result, 'ok', outcome.message);
      assert.match(outcome.message, /now runs V2_0/);
      assert.deepEqual(
        m.events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason),
        ['The MCU read 0,4 again'],
      );
      const progress = m.events.filter((e) => e.type === 'progress').map((e) => (e as { bytesDone: number }).bytesDone);
      assert.deepEqual(progress, [0, 4, 6, 10]);
      const phases = m.events.filter((e) => e.type === 'phase').map((e) => (e as { phase: string }).phase);
      assert.deepEqual(phases, ['waiting', 'negotiating', 'transferring', 'verifying']);
    } finally {
      m.close();
    }
  });

  it('tolerates blank lines, stray bytes, lower case, CRLF or LF endings, echoes and answers AT/ATE', async () => {
    const image = Buffer.from('abcdef', 'latin1');
    const m = startModule(image, { targetVersion: 'V2' });
    try {
      assert.match(await m.line(), /^\+QIOTEVT: 7,10700,/);
      await m.send('\r\n\r\n\x00\xff~~at+qiotmcuver="MCU","V1"\r\n');
      assert.equal(await m.line(), 'OK');
      // Our own URCs coming back (a loop-back or an echoing line) are not commands.
      await m.send('+QIOTEVT: 7,10700,"MCU","","V2",30,-113,6\r\nOK\r\n#garbage#\n');
      await m.send('AT\n');
      assert.equal(await m.line(), 'OK');
      await m.send('ATE1\r');
      assert.equal(await m.line(), 'OK');
      await m.send('AT+QIOTUPDATE=1\r\n');
      assert.equal(await m.line(), 'AT+QIOTUPDATE=1'); // echoed
      assert.equal(await m.line(), 'OK');
      assert.match(await m.line(), /^\+QIOTEVT: 7,10701,"MCU",6,"[0-9a-f]{32}"$/); // no SHA-256 asked for
      assert.equal(await m.line(), '+QIOTEVT: 7,10702');
      assert.equal(await m.line(), '+QIOTEVT: 7,10703,"MCU",6,0,6');
      assert.equal(await m.line(), '+QIOTEVT: 7,10704');
      await m.send('ATE0\r');
      assert.equal(await m.line(), 'ATE0');
      assert.equal(await m.line(), 'OK');
      await m.send('\x1b[Aat+qiototard=0,100\n');
      assert.equal(await m.expectRaw('\r\n+QIOTOTARD: 0,6\r\nabcdef\r\nOK\r\n'), '\r\n+QIOTOTARD: 0,6\r\nabcdef\r\nOK\r\n');
      await m.send('AT+FOO=1\r'); // unknown commands get ERROR
      assert.equal(await m.line(), 'ERROR');
      await m.send('at+qiotupdate=3\r');
      assert.equal(await m.line(), 'OK');
      await m.send('AT+QIOTMCUVER="MCU","V2"\r');
      assert.equal(await m.line(), 'OK');
      assert.equal(await m.line(), '+QIOTEVT: 7,10705');
      assert.equal((await m.outcome).result, 'ok');
    } finally {
      m.close();
    }
  });

  it('sends 10704 only on AT+QIOTUPDATE=3 when asked to, and serves pieces one at a time', async () => {
    const image = pattern(10);
    const m = startModule(image, { updatingEvent: 'on-update', pieceSize: 6, targetVersion: 'B' });
    try {
      await m.line();
      await m.send('AT+QIOTUPDATE=1\r');
      assert.equal(await m.line(), 'OK');
      assert.match(await m.line(), /10701/);
      assert.match(await m.line(), /10702/);
      assert.equal(await m.line(), '+QIOTEVT: 7,10703,"MCU",10,0,6');
      await m.send('AT+QIOTOTARD=6,4\r'); // beyond the current piece
      assert.equal(await m.line(), 'ERROR');
      await m.send('AT+QIOTOTARD=0,6\r');
      assert.equal(await m.line(), '+QIOTOTARD: 0,6');
      assert.deepEqual(await m.reader.readExact(6, 1000), Buffer.from(image.subarray(0, 6)));
      assert.equal(await m.line(), 'OK');
      await m.send('AT+QIOTUPDATE=2\r');
      assert.equal(await m.line(), 'OK');
      assert.equal(await m.line(), '+QIOTEVT: 7,10703,"MCU",10,6,4');
      await m.send('AT+QIOTUPDATE=2\r'); // a repeat before any read (lost OK) does not skip a piece
      assert.equal(await m.line(), 'OK');
      assert.equal(await m.line(), '+QIOTEVT: 7,10703,"MCU",10,6,4');
      await m.send('AT+QIOTOTARD=2,2\r'); // the previous piece is gone
      assert.equal(await m.line(), 'ERROR');
      await m.send('AT+QIOTOTARD=6,4096\r');
      assert.equal(await m.line(), '+QIOTOTARD: 6,4');
      assert.deepEqual(await m.reader.readExact(4, 1000), Buffer.from(image.subarray(6)));
      assert.equal(await m.line(), 'OK');
      await m.send('AT+QIOTUPDATE=3\r');
      assert.equal(await m.line(), 'OK');
      assert.equal(await m.line(), '+QIOTEVT: 7,10704');
      await m.send('AT+QIOTMCUVER="MCU","B"\r');
      assert.equal(await m.line(), 'OK');
      assert.equal(await m.line(), '+QIOTEVT: 7,10705');
      assert.equal((await m.outcome).result, 'ok');
    } finally {
      m.close();
    }
  });

  it('ends as refused when the MCU answers the plan with AT+QIOTUPDATE=0', async () => {
    const m = startModule(pattern(100));
    try {
      await m.line();
      await m.send('AT+QIOTUPDATE=0\r');
      assert.equal(await m.line(), 'OK');
      const outcome = await m.outcome;
      assert.equal(outcome.result, 'refused');
      assert.equal(outcome.message, 'The device refused the update (AT+QIOTUPDATE=0).');
    } finally {
      m.close();
    }
  });

  it('fails with 10706 when the MCU reports a version other than the target', async () => {
    const m = startModule(Buffer.from('xy'), { targetVersion: 'V2_0' });
    try {
      await m.line();
      await m.send('AT+QIOTMCUVER="MCU","V1_0"\rAT+QIOTUPDATE=1\r');
      for (let i = 0; i < 6; i++) await m.line(); // OK, OK, 10701..10704
      await m.send('AT+QIOTOTARD=0,2\r');
      await m.expectRaw('\r\n+QIOTOTARD: 0,2\r\nxy\r\nOK\r\n');
      await m.send('AT+QIOTUPDATE=3\r');
      assert.equal(await m.line(), 'OK');
      await m.send('AT+QIOTMCUVER="MCU","V1_0"\r');
      assert.equal(await m.line(), 'OK');
      assert.equal(await m.line(), '+QIOTEVT: 7,10706');
      const outcome = await m.outcome;
      assert.equal(outcome.result, 'failed');
      assert.equal(outcome.errorCode, 'device-rejected');
      assert.match(outcome.message, /reports version V1_0 \(expected V2_0\)/);
    } finally {
      m.close();
    }
  });

  /** Without --version: the MCU confirms, reads everything, says "updating" and then reports `after`. */
  async function withoutTargetVersion(before: string | null, after: string) {
    const m = startModule(Buffer.from('xy'));
    try {
      await m.line();
      if (before !== null) {
        await m.send(`AT+QIOTMCUVER="MCU","${before}"\r`);
        assert.equal(await m.line(), 'OK');
      }
      await m.send('AT+QIOTUPDATE=1\r');
      for (let i = 0; i < 5; i++) await m.line(); // OK, 10701..10704
      await m.send('AT+QIOTOTARD=0,2\r');
      await m.expectRaw('\r\n+QIOTOTARD: 0,2\r\nxy\r\nOK\r\n');
      await m.send('AT+QIOTUPDATE=3\r');
      assert.equal(await m.line(), 'OK');
      await m.send(`AT+QIOTMCUVER="MCU","${after}"\r`);
      assert.equal(await m.line(), 'OK');
      const event = await m.line();
      return { outcome: await m.outcome, event };
    } finally {
      m.close();
    }
  }

  it('without --version, a version first reported after the transfer does not count as installed', async () => {
    const { outcome, event } = await withoutTargetVersion(null, 'V9_9');
    assert.equal(event, '+QIOTEVT: 7,10706');
    assert.equal(outcome.result, 'failed');
    assert.equal(outcome.verified, false);
    assert.equal(outcome.errorCode, 'not-confirmed');
    assert.match(outcome.message, /^Sent 2 bytes; the device did not confirm it installed the image/);
  });

  it('without --version, a change from the version reported before the transfer counts as installed', async () => {
    const { outcome, event } = await withoutTargetVersion('V1_0', 'V1_1');
    assert.equal(event, '+QIOTEVT: 7,10705');
    assert.equal(outcome.result, 'ok', outcome.message);
    assert.equal(outcome.verified, true);
    const unchanged = await withoutTargetVersion('V1_0', 'V1_0');
    assert.equal(unchanged.outcome.result, 'failed');
    assert.equal(unchanged.outcome.errorCode, 'device-rejected');
  });

  it('never reports success when the MCU claims the new version without having read everything', async () => {
    const m = startModule(pattern(100), { targetVersion: 'V2_0' });
    try {
      await m.line();
      await m.send('AT+QIOTUPDATE=1\r');
      for (let i = 0; i < 5; i++) await m.line();
      await m.send('AT+QIOTOTARD=0,50\r');
      await m.reader.readExact('\r\n+QIOTOTARD: 0,50\r\n'.length + 50 + '\r\nOK\r\n'.length, 1000);
      await m.send('AT+QIOTUPDATE=3\rAT+QIOTMCUVER="MCU","V2_0"\r');
      assert.equal(await m.line(), 'OK');
      assert.equal(await m.line(), 'OK');
      assert.equal(await m.line(), '+QIOTEVT: 7,10706');
      const outcome = await m.outcome;
      assert.equal(outcome.result, 'failed');
      assert.equal(outcome.errorCode, 'incomplete');
      assert.match(outcome.message, /read only 50 of 100 bytes/);
    } finally {
      m.close();
    }
  });

  it('fails clearly when the MCU goes quiet mid-transfer, and tells it with 10706', async () => {
    const m = startModule(pattern(100), { idleTimeoutMs: 100 });
    try {
      await m.line();
      await m.send('AT+QIOTUPDATE=1\r');
      for (let i = 0; i < 5; i++) await m.line();
      assert.equal(await m.line(), '+QIOTEVT: 7,10706');
      const outcome = await m.outcome;
      assert.equal(outcome.result, 'failed');
      assert.equal(outcome.errorCode, 'device-silent');
      assert.equal(outcome.message, 'The MCU stopped reading at 0 of 100 bytes (nothing for 0.1 s).');
    } finally {
      m.close();
    }
  });

  it('fails clearly when no MCU ever speaks', async () => {
    const m = startModule(pattern(10), { waitTimeoutMs: 50 });
    try {
      const outcome = await m.outcome;
      assert.equal(outcome.result, 'failed');
      assert.match(outcome.message, /The MCU on module sent nothing within 0.1 s\. Check the baud rate/);
    } finally {
      m.close();
    }
  });

  it('times out on a device that sends only noise (wrong baud rate), however long it babbles', async () => {
    const m = startModule(pattern(10), { waitTimeoutMs: 300 });
    const babble = setInterval(() => void m.send('\xf0\x0f~~\x80\r\n'), 20);
    try {
      const outcome = await m.outcome;
      assert.equal(outcome.result, 'failed');
      assert.match(outcome.message, /The MCU on module sent only unreadable data within 0\.3 s\. Check the baud rate/);
    } finally {
      clearInterval(babble);
      m.close();
    }
  });

  it('is cancelled promptly and tells the MCU with 10706', async () => {
    const m = startModule(pattern(100));
    try {
      await m.line();
      await m.send('AT+QIOTUPDATE=1\r');
      for (let i = 0; i < 5; i++) await m.line();
      m.controller.abort(new OtaError('cancelled', 'Cancelled by the user.'));
      assert.equal(await m.line(), '+QIOTEVT: 7,10706');
      assert.deepEqual(await m.outcome, { result: 'cancelled', verified: false, message: 'Cancelled by the user.' });
    } finally {
      m.close();
    }
  });

  it('reports an unplugged device as a disconnect', async () => {
    const m = startModule(pattern(100));
    try {
      await m.line();
      m.mcu.unplug();
      const outcome = await m.outcome;
      assert.equal(outcome.result, 'failed');
      assert.equal(outcome.errorCode, 'port-disconnected');
      assert.match(outcome.message, /was disconnected/);
    } finally {
      m.close();
    }
  });

  it('rejects unusable options before running', () => {
    const img = pattern(10);
    assert.throws(() => quecthingProtocol.checkOptions({ component: 'A"B' }, img, [{ address: null, data: img, name: "image.bin" }]), /component must not contain quotes/);
    assert.throws(() => quecthingProtocol.checkOptions({ component: '' }, img, [{ address: null, data: img, name: "image.bin" }]), /component must not be empty/);
    assert.throws(() => quecthingProtocol.checkOptions({ pieceSize: 0 }, img, [{ address: null, data: img, name: "image.bin" }]), /pieceSize must be a whole number/);
    assert.throws(() => quecthingProtocol.checkOptions({ maxReadLength: 'big' }, img, [{ address: null, data: img, name: "image.bin" }]), /maxReadLength/);
    assert.throws(() => quecthingProtocol.checkOptions({ blockSize: 1024 }, img, [{ address: null, data: img, name: "image.bin" }]), /quecthing protocol has no option blockSize/);
    quecthingProtocol.checkOptions({ component: 'STM32', targetVersion: 'V2_0', pieceSize: '4096', timeoutMs: 5000 }, img, [{ address: null, data: img, name: "image.bin" }]);
  });
});

describe('quecthing module side with the simulated MCU (in-process)', function () {
  this.timeout(20_000);

  for (const [size, readSize, pieceSize] of [
    [1, 4096, undefined],
    [1024, 1024, undefined],
    [1025, 1024, undefined],
    [100_000, 4096, 30_000],
    [10_000, 777, 3000],
  ] as const) {
    it(`delivers ${size} bytes in ${readSize}-byte reads${pieceSize ? ` and ${pieceSize}-byte pieces` : ''}, verified by MD5 and SHA-256`, async () => {
      const image = pattern(size, size);
      const { outcome, device } = await flashToSimulatedMcu(image, { targetVersion: 'V2_0', ...(pieceSize ? { pieceSize } : {}) }, { readSize });
      assert.equal(outcome.result, 'ok', outcome.message);
      assert.equal(device.outcome, 'updated', device.message);
      assert.equal(device.md5Ok, true);
      assert.equal(device.sha256Ok, true);
      assert.deepEqual(Buffer.from(device.image!), Buffer.from(image));
      assert.equal(device.finalEvent, 10705);
    });
  }

  it('works with an MCU that asks without SHA-256, probes the range, and talks in noisy lower case with LF', async () => {
    const image = pattern(9000, 3);
    const { outcome, device } = await flashToSimulatedMcu(image, {}, {
      requestSha: false,
      probeReadRange: true,
      readSize: 2048,
      style: { lowercase: true, noise: true, lineEnding: '\n', seed: 7 },
    });
    assert.equal(outcome.result, 'ok', outcome.message);
    assert.equal(device.outcome, 'updated');
    assert.equal(device.sha256Ok, null); // not sent
    assert.equal(device.md5Ok, true);
    // No target version given: success means a version other than the one reported before (V1_0 -> V2_0).
    assert.equal(device.reportedVersion, 'V2_0');
  });

  it('ends as refused when the simulated MCU refuses', async () => {
    const { outcome, device } = await flashToSimulatedMcu(pattern(50), {}, { refuse: true });
    assert.equal(outcome.result, 'refused');
    assert.equal(device.outcome, 'refused');
  });

  it('fails (10706) when the MCU keeps its old version', async () => {
    const { outcome, device } = await flashToSimulatedMcu(pattern(500), { targetVersion: 'V2_0' }, { reportVersion: 'V1_0' });
    assert.equal(outcome.result, 'failed');
    assert.equal(outcome.errorCode, 'device-rejected');
    assert.equal(device.finalEvent, 10706);
  });
});
