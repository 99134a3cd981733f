// The flash session: phases, events, progress, cancellation, early refusals, and the port always closed.
import assert from 'node:assert/strict';
import { type ByteLink } from '../../../src/core/serial/byteLink';
import { LinkReader } from '../../../src/core/serial/linkReader';
import { type VirtualPort } from '../../../src/core/serial/ports';
import { FLASH_PROTOCOLS, findProtocol } from '../../../src/core/serial/protocols';
import { checkFlashRequest, FlashSession, runFlashSession } from '../../../src/core/serial/session';
import { FLASH_PHASES, type FlashSessionEvent } from '../../../src/core/serial/sessionTypes';
import { createVirtualQuecthingPort, createVirtualYmodemPort } from '../../../src/core/serial/virtual/virtualDevices';
import { type QuecMcuResult } from '../../../src/core/serial/virtual/quecMcu';
import { createVirtualLinkPair } from '../../../src/core/serial/virtualLink';

function pattern(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 29 + 3) & 0xff);
}

/** A virtual port that remembers the host-side links it handed out. */
function tracked(port: VirtualPort): { port: VirtualPort; links: ByteLink[] } {
  const links: ByteLink[] = [];
  return {
    links,
    port: {
      ...port,
      async open(settings) {
        const link = await port.open(settings);
        links.push(link);
        return link;
      },
    },
  };
}

describe('flash session', function () {
  this.timeout(15_000);

  it('runs quecthing to a virtual MCU through every phase, with serialisable events and a full snapshot', async () => {
    let device: QuecMcuResult | null = null;
    const { port, links } = tracked(createVirtualQuecthingPort({ paced: false, mcu: { flashWriteDelayMs: 0, readSize: 1024 }, onResult: (r) => (device = r) }));
    const image = pattern(50_000);
    const session = new FlashSession({ protocol: 'quecthing', image, imageName: 'app.bin', port: port.path, virtualPorts: [port], options: { targetVersion: 'V3' }, progressIntervalMs: 0 });
    const events: FlashSessionEvent[] = [];
    session.onEvent((e) => events.push(e));
    const result = await session.start();

    assert.equal(result.result, 'ok', result.message);
    assert.deepEqual(Object.keys(result).sort(), ['bytes', 'bytesPerSecond', 'details', 'device', 'errorCode', 'message', 'port', 'protocol', 'retries', 'result', 'seconds', 'totalBytes', 'transferSeconds', 'verified'].sort());
    assert.equal(result.protocol, 'quecthing');
    assert.equal(result.port, 'virtual:quecthing-mcu');
    assert.equal(result.bytes, 50_000);
    assert.equal(result.totalBytes, 50_000);
    assert.equal(result.errorCode, null);
    assert.ok(result.bytesPerSecond > 0);
    assert.equal((device as QuecMcuResult | null)?.outcome, 'updated');

    const phases = events.filter((e) => e.type === 'phase').map((e) => (e as { phase: string }).phase);
    assert.deepEqual([...new Set(phases)], ['waiting', 'negotiating', 'transferring', 'verifying', 'done']);
    for (const phase of phases) assert.ok((FLASH_PHASES as readonly string[]).includes(phase));
    const progress = events.filter((e) => e.type === 'progress');
    const last = progress[progress.length - 1];
    assert.deepEqual({ ...last, sessionId: 'x' }, { type: 'progress', sessionId: 'x', bytesDone: 50_000, bytesTotal: 50_000, percent: 100, bytesPerSecond: last.bytesPerSecond, etaSeconds: 0, retries: 0 });
    assert.equal(events[events.length - 1].type, 'end');
    for (const e of events) {
      assert.equal(e.sessionId, session.id);
      assert.deepEqual(JSON.parse(JSON.stringify(e)), e); // plain data, fit for postMessage and --json
    }

    const snap = session.snapshot();
    assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap);
    assert.equal(snap.phase, 'done');
    assert.equal(snap.protocolLabel, 'Quectel MCU OTA (AT)');
    assert.equal(snap.imageName, 'app.bin');
    assert.deepEqual(snap.result, result);
    assert.ok(snap.log.some((l) => /10705/.test(l.text)));
    assert.ok(snap.log.every((l) => !Number.isNaN(Date.parse(l.time))));
    assert.equal(links.length, 1);
    assert.equal(links[0].isClosed, true);
  });

  it('runs YMODEM to a virtual bootloader paced at the baud rate, with a rate and an ETA while it runs', async () => {
    const { port, links } = tracked(createVirtualYmodemPort({ receiver: { startIntervalMs: 50 } }));
    const image = pattern(60_000);
    const seen: { rate: number; eta: number | null; done: number }[] = [];
    const result = await runFlashSession(
      { protocol: 'ymodem', image, port: port.path, virtualPorts: [port], serial: { baudRate: 921600 }, progressIntervalMs: 0 },
      (e) => {
        if (e.type === 'progress') seen.push({ rate: e.bytesPerSecond, eta: e.etaSeconds, done: e.bytesDone });
      },
    );
    assert.equal(result.result, 'ok', result.message);
    const midway = seen.filter((p) => p.done > 0 && p.done < image.length);
    assert.ok(midway.length > 10);
    assert.ok(midway.every((p) => p.rate > 0 && p.eta !== null && p.eta >= 0));
    assert.equal(links[0].isClosed, true);
  });

  it('refuses a 0-byte image clearly, before opening anything', async () => {
    let opened = 0;
    const session = new FlashSession({
      protocol: 'quecthing',
      image: new Uint8Array(0),
      port: '/dev/ttyUSB0',
      connect: () => {
        opened++;
        return Promise.reject(new Error('must not open'));
      },
    });
    const result = await session.start();
    assert.equal(opened, 0);
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'empty-image');
    assert.equal(result.message, 'The image is empty (0 bytes): there is nothing to flash. Build the firmware first, or pick another file.');
    assert.equal(session.snapshot().phase, 'failed');
    assert.throws(() => checkFlashRequest({ protocol: 'ymodem', image: new Uint8Array(0) }), /The image is empty/);
  });

  it('reports unknown protocols, bad options and bad settings without opening the port', async () => {
    let opened = 0;
    const connect = (): Promise<ByteLink> => {
      opened++;
      return Promise.reject(new Error('must not open'));
    };
    const image = pattern(10);
    const unknown = await new FlashSession({ protocol: 'xmodem', image, port: 'p', connect }).start();
    assert.equal(unknown.errorCode, 'invalid-input');
    assert.equal(unknown.message, `Unknown flashing protocol "xmodem". Use one of: ${FLASH_PROTOCOLS.map((p) => p.id).join(', ')}.`);
    const badOption = await new FlashSession({ protocol: 'quecthing', image, port: 'p', connect, options: { pieceSize: -1 } }).start();
    assert.match(badOption.message, /pieceSize must be a whole number/);
    const badBaud = await new FlashSession({ protocol: 'ymodem', image, port: 'p', connect, serial: { baudRate: 0 } }).start();
    assert.match(badBaud.message, /Baud rate must be a positive whole number/);
    assert.equal(opened, 0);
    assert.deepEqual(FLASH_PROTOCOLS.map((p) => p.id), ['quecthing', 'ymodem', 'stm32', 'mcuboot', 'stream', 'esp']);
    assert.equal(findProtocol('ymodem').label, 'YMODEM');
  });

  it('reports a port that cannot be opened', async () => {
    const result = await new FlashSession({ protocol: 'ymodem', image: pattern(10), port: '/dev/ttyNOPE9' }).start();
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'port-not-found');
    assert.match(result.message, /There is no serial port \/dev\/ttyNOPE9/);
  });

  it('is cancelled by an already aborted signal without opening the port', async () => {
    const controller = new AbortController();
    controller.abort();
    let opened = 0;
    const result = await new FlashSession({
      protocol: 'ymodem',
      image: pattern(10),
      port: 'p',
      signal: controller.signal,
      connect: () => {
        opened++;
        return Promise.reject(new Error('must not open'));
      },
    }).start();
    assert.equal(result.result, 'cancelled');
    assert.equal(opened, 0);
  });

  it('can be cancelled while transferring (signal or cancel()) and closes the port', async () => {
    for (const how of ['signal', 'cancel'] as const) {
      const { port, links } = tracked(createVirtualYmodemPort({ receiver: { startIntervalMs: 50 } }));
      const controller = new AbortController();
      const session = new FlashSession({ protocol: 'ymodem', image: pattern(200_000), port: port.path, virtualPorts: [port], serial: { baudRate: 115200 }, signal: controller.signal });
      session.on('progress', (p) => {
        if (p.bytesDone >= 2048) {
          if (how === 'signal') controller.abort();
          else session.cancel('Stopped from the panel.');
        }
      });
      const result = await session.start();
      assert.equal(result.result, 'cancelled');
      assert.equal(result.message, how === 'signal' ? 'Cancelled by the user.' : 'Stopped from the panel.');
      assert.equal(session.snapshot().phase, 'cancelled');
      assert.equal(links[0].isClosed, true);
      assert.equal(await session.start(), result); // start() again returns the same ending
    }
  });

  it('closes the port after a refusal and after a protocol failure', async () => {
    for (const mcu of [{ refuse: true }, { reportVersion: 'OLD' }]) {
      const { port, links } = tracked(createVirtualQuecthingPort({ paced: false, mcu }));
      const result = await new FlashSession({ protocol: 'quecthing', image: pattern(3000), port: port.path, virtualPorts: [port], options: { targetVersion: 'NEW' } }).start();
      assert.equal(result.result, 'refuse' in mcu ? 'refused' : 'failed');
      assert.equal(links[0].isClosed, true);
    }
  });

  it('logs what the device sends as escaped, printable text marked as from the device', async () => {
    const [host, mcu] = createVirtualLinkPair({ names: ['host', 'mcu'] });
    const session = new FlashSession({ protocol: 'quecthing', image: pattern(10), port: 'scripted', connect: () => Promise.resolve(host), options: { waitTimeoutMs: 2000 } });
    const running = session.start();
    const reader = new LinkReader(mcu);
    await reader.readLine(1000);
    await mcu.write(Buffer.from('\x1b[31m<b>hi</b>\x00\r\nAT+QIOTUPDATE=0\r', 'latin1'));
    const result = await running;
    reader.dispose();
    assert.equal(result.result, 'refused');
    const lines = session.snapshot().log.filter((l) => l.fromDevice);
    assert.ok(lines.some((l) => l.text === 'ignored: \\x1b[31m<b>hi</b>\\x00'), JSON.stringify(lines));
    assert.ok(lines.some((l) => l.text === 'MCU: AT+QIOTUPDATE=0'));
    assert.equal(host.isClosed, true);
  });

  it('keeps going when a listener throws', async () => {
    const port = createVirtualQuecthingPort({ paced: false });
    const session = new FlashSession({ protocol: 'quecthing', image: pattern(100), port: port.path, virtualPorts: [port] });
    session.onEvent(() => {
      throw new Error('broken renderer');
    });
    assert.equal((await session.start()).result, 'ok');
  });

  it('counts retries reported by the protocol in the progress and the result', async () => {
    const [host, dev] = createVirtualLinkPair();
    const session = new FlashSession({ protocol: 'ymodem', image: pattern(3000), port: 'scripted', connect: () => Promise.resolve(host), options: { blockTimeoutMs: 2000 } });
    const running = session.start();
    const reader = new LinkReader(dev);
    const answer = async (...bytes: number[]): Promise<void> => dev.write(Uint8Array.from(bytes));
    await answer(0x43);
    await reader.readExact(133, 1000);
    await answer(0x06, 0x43);
    await reader.readExact(1029, 1000);
    await answer(0x15); // NAK: block 1 again
    await reader.readExact(1029, 1000);
    await answer(0x15);
    await reader.readExact(1029, 1000);
    await answer(0x06);
    await reader.readExact(1029, 1000);
    await answer(0x06);
    await reader.readExact(1029, 1000);
    await answer(0x06);
    assert.equal(await reader.readByte(1000), 0x04);
    await answer(0x06, 0x43);
    await reader.readExact(133, 1000);
    await answer(0x06);
    const result = await running;
    reader.dispose();
    assert.equal(result.result, 'ok');
    assert.equal(result.retries, 2);
    assert.equal(session.snapshot().retries, 2);
    assert.equal(session.snapshot().log.filter((l) => /^Retry \d: block 1: NAK$/.test(l.text)).length, 2);
  });
});
