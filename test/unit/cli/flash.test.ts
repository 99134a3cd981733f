// `ota flash` and `ota ports` through run(), over a real socat pseudo-terminal pair with the real serialport binding:
// the simulated MCU process for quecthing (it checks MD5 and SHA-256 of what it read), Debian's `rb --ymodem` for
// YMODEM. One test runs the built dist/cli.js as a subprocess.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listPorts } from '../../../src/core/serial/ports';
import { openSerialLink } from '../../../src/core/serial/transport';
import { type LrzszResult, type McuProcessResult, type PartnerProcess, startLrzsz, startMcuProcess } from '../../sims/processes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { run } from '../../../src/cli/run';
import { assertOneLineError, cli, collect, lastLine, parseJsonOut, spawnBundle, type Row } from './helpers';

const JSON_KEYS = ['protocol', 'bytes', 'seconds', 'bytesPerSecond', 'retries', 'result', 'verified'];

function pattern(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 131 + (i >> 11)) & 0xff;
  return out;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('cli flash over a real pty pair', function () {
  this.timeout(20_000);
  let pair: PtyPair;
  let dir: string;
  let partner: PartnerProcess<McuProcessResult> | PartnerProcess<LrzszResult> | null = null;

  beforeEach(async () => {
    pair = await openPtyPair();
    dir = mkdtempSync(join(tmpdir(), 'ota-cli-flash-'));
  });
  afterEach(async () => {
    await partner?.stop();
    partner = null;
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function imageFile(name: string, bytes: Buffer): string {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return file;
  }

  it('flashes with quecthing: the MCU checks both hashes; --json prints the result, exit 0', async () => {
    const image = pattern(10_001);
    const file = imageFile('app.bin', image);
    const running = cli(['flash', file, '--port', pair.a, '--protocol', 'quecthing', '--component', 'STM32', '--version', 'V2_0', '--piece-size', '4096', '--timeout', '5', '--json'], {});
    const mcu = startMcuProcess(pair.b, ['--component', 'STM32', '--timeout-ms', '1000']);
    partner = mcu;
    const [r, device] = await Promise.all([running, mcu.done]);
    const out = parseJsonOut(r);
    assert.deepEqual(Object.keys(out), JSON_KEYS);
    assert.deepEqual([out.protocol, out.bytes, out.result, out.verified], ['quecthing', 10_001, 'ok', true]);
    assert.ok(typeof out.seconds === 'number' && typeof out.bytesPerSecond === 'number' && typeof out.retries === 'number');
    const report = device.report!;
    assert.deepEqual([device.code, report.outcome, report.md5Ok, report.sha256Ok, report.sha256, report.reportedVersion], [0, 'updated', true, true, sha256(image), 'V2_0']);
    assert.match(r.stderr, new RegExp(`^Opening ${pair.a}\\nWaiting for the MCU on ${pair.a}\\n`));
    assert.match(r.stderr, /\n100\.0 % \(9\.8 KiB of 9\.8 KiB/);
  });

  it('ends non-zero with result "refused" when the MCU refuses', async () => {
    const file = imageFile('app.bin', pattern(3000));
    const running = cli(['flash', file, '--port', pair.a, '--protocol', 'quecthing', '--json'], {});
    partner = startMcuProcess(pair.b, ['--refuse', '--timeout-ms', '1000']);
    const r = await running;
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as Row;
    assert.deepEqual(Object.keys(out), JSON_KEYS);
    assert.deepEqual([out.result, out.bytes, out.verified], ['refused', 0, false]);
    assert.match(lastLine(r.stderr), /^ota: .*refused/i);
  });

  it('sends a file to rb --ymodem byte-identical, with progress lines each tenth', async () => {
    const image = pattern(5000);
    const file = imageFile('firmware.bin', image);
    const out = join(dir, 'rx');
    mkdirSync(out);
    // rb can be slow to ask for the file and answers some blocks only after its own timeouts: 5 s keeps us above them.
    partner = startLrzsz('rb', ['--ymodem'], pair.b, out);
    const r = await cli(['flash', file, '--port', pair.a, '--protocol', 'ymodem', '--baud', '115200', '--timeout', '5'], {});
    assert.equal(r.code, 0, r.stderr);
    // YMODEM cannot prove what the device stored: the result says so and never claims a verified flash.
    assert.match(r.stdout, new RegExp(`^Sent firmware\\.bin \\(5000 bytes\\) to ${pair.a} with ymodem in [\\d.]+ s \\(\\d+ retr(y|ies).*\\); not verified by the device\\.\\n`));
    assert.match(r.stdout, /YMODEM has no end-to-end check/);
    assert.doesNotMatch(r.stdout, /Flashed|verified it/);
    const rb = await partner.done;
    assert.equal(rb.code, 0, rb.stderr);
    assert.ok(readFileSync(join(out, 'firmware.bin')).equals(image), 'received file differs');
    const percents = [...r.stderr.matchAll(/^(\d+\.\d) % \(/gm)].map((m) => Number(m[1]));
    assert.ok(percents.length >= 1 && percents.length <= 10, r.stderr);
    assert.equal(percents.at(-1), 100);
    assert.deepEqual([...percents].sort((a, b) => a - b), percents);
  });

  it('cancels (Ctrl-C) while waiting for the device: exit 130, result cancelled, the port free again', async () => {
    const file = imageFile('app.bin', pattern(2000));
    const stop = new AbortController();
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: {
        write: (t: string) => {
          stderr += t;
          if (t.startsWith('Waiting for the MCU')) stop.abort();
        },
      },
      env: {},
    };
    const code = await run(['flash', file, '--port', pair.a, '--protocol', 'quecthing', '--json'], io, stop.signal);
    assert.equal(code, 130);
    assert.equal((JSON.parse(stdout) as Row).result, 'cancelled');
    assert.match(lastLine(stderr), /^ota: Cancelled/);
    const again = await openSerialLink(pair.a);
    await again.close();
  });

  it('refuses an empty image before opening any port, and names an unknown port', async () => {
    const empty = imageFile('empty.bin', Buffer.alloc(0));
    assertOneLineError(await cli(['flash', empty, '--port', '/dev/ota-no-such-port', '--protocol', 'ymodem', '--json'], {}), 2, /The image is empty \(0 bytes\): there is nothing to flash/);
    const file = imageFile('app.bin', pattern(10));
    const r = await cli(['flash', file, '--port', '/dev/ota-no-such-port', '--protocol', 'ymodem', '--json'], {});
    assert.equal(r.code, 1);
    assert.deepEqual((JSON.parse(r.stdout) as Row).result, 'failed');
    assert.equal(lastLine(r.stderr), "ota: There is no serial port /dev/ota-no-such-port. Check that the board is plugged in, then pick the port again. Run 'ota ports' to see the serial ports.");
  });

  it('refuses options that do not fit the protocol, and a missing port or protocol', async () => {
    const file = imageFile('app.bin', pattern(10));
    assertOneLineError(await cli(['flash', file, '--port', pair.a, '--protocol', 'ymodem', '--component', 'X'], {}), 2, /--component applies to --protocol quecthing only/);
    assertOneLineError(await cli(['flash', file, '--port', pair.a, '--protocol', 'xmodem'], {}), 2, /unknown protocol 'xmodem': use --protocol quecthing\|ymodem/);
    assertOneLineError(await cli(['flash', file, '--protocol', 'ymodem'], {}), 2, /'ota flash' needs --port PATH/);
    assertOneLineError(await cli(['flash', file, '--port', pair.a], {}), 2, /'ota flash' needs --protocol/);
    assertOneLineError(await cli(['flash', join(dir, 'nope.bin'), '--port', pair.a, '--protocol', 'ymodem'], {}), 2, /cannot read the image .*nope\.bin \(ENOENT\)/);
    assertOneLineError(await cli(['flash', file, '--port', pair.a, '--protocol', 'quecthing', '--version', 'a"b'], {}), 2, /^ota: --version must not contain quotes, commas or line breaks: "a\\"b"\./);
  });

  it('runs from the built bundle: ota flash --json', async () => {
    const file = imageFile('app.bin', pattern(5000));
    const child = spawnBundle(['flash', file, '--port', pair.a, '--protocol', 'quecthing', '--version', 'V3_0', '--json'], { PATH: process.env.PATH });
    const done = collect(child);
    partner = startMcuProcess(pair.b, ['--timeout-ms', '1000']);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Row;
    assert.deepEqual(Object.keys(out), JSON_KEYS);
    assert.deepEqual([out.protocol, out.bytes, out.result, out.verified], ['quecthing', 5000, 'ok', true]);
    assert.equal((await partner.done).code, 0);
  });
});

describe('cli ports', () => {
  it('lists the ports as JSON (what listPorts finds) and as a table', async () => {
    const found = await listPorts({ includeAll: true });
    const json = parseJsonOut<Row[]>(await cli(['ports', '--all', '--json'], {}));
    assert.deepEqual(json, JSON.parse(JSON.stringify(found)));
    const human = await cli(['ports', '--all'], {});
    assert.equal(human.code, 0);
    if (found.length === 0) assert.equal(human.stdout, 'No serial ports found.\n');
    else assert.match(human.stdout, /^PATH +NAME +VID:PID +SERIAL NUMBER\n/);
    const usb = parseJsonOut<Row[]>(await cli(['ports', '--json'], {}));
    assert.ok(usb.every((p) => found.some((f) => f.path === p.path)));
  });
});
