// `ota flash --protocol esp` against simulated ESP32 boards on pseudo-terminals: the --json contract with the chip
// and per-region MD5s, --image and --project (the PlatformIO build's four images), several --port at once with one
// board failing, and the built bundle (esptool-js bundled by esbuild).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { md5Hex } from '../../../src/core/serial/checksums';
import { startEspPtyBoard, type EspPtyBoard } from '../../sims/espBoard';
import { cli, root, runBundle } from './helpers';

const FAKE_PIO = join(root, 'test', 'fixtures', 'pio', 'fake-pio');

function pattern(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 131 + seed + (i >> 9)) & 0xff;
  return out;
}

describe('cli flash --protocol esp', function () {
  this.timeout(60_000);
  let boards: EspPtyBoard[] = [];
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ota-cli-esp-'));
  });
  afterEach(async () => {
    for (const b of boards) await b.stop();
    boards = [];
    rmSync(dir, { recursive: true, force: true });
  });

  async function board(args: string[] = []): Promise<EspPtyBoard> {
    const b = await startEspPtyBoard({ simArgs: args });
    boards.push(b);
    return b;
  }

  function file(name: string, bytes: Buffer): string {
    const f = join(dir, name);
    writeFileSync(f, bytes);
    return f;
  }

  it('flashes a .bin and --image regions; --json has chip, regions and verified; exit 0', async () => {
    const b = await board(['--mac', '24:0a:c4:01:02:03']);
    const app = pattern(70_001);
    const part = pattern(3072, 7);
    const r = await cli(['flash', file('app.bin', app), '--image', `0x8000:${file('partitions.bin', part)}`, '--port', b.port, '--protocol', 'esp', '--flash-baud', '115200', '--json'], {});
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out).slice(0, 7), ['protocol', 'bytes', 'seconds', 'bytesPerSecond', 'retries', 'result', 'verified']);
    assert.deepEqual([out.protocol, out.bytes, out.result, out.verified], ['esp', app.length + part.length, 'ok', true]);
    assert.equal(out.chip, 'ESP32-D0WD-V3 (revision 3)');
    assert.equal(out.mac, '24:0a:c4:01:02:03');
    assert.deepEqual(out.regions, [
      { address: '0x00010000', bytes: app.length, md5: md5Hex(Buffer.concat([app, Buffer.alloc(3, 0xff)])), verified: true },
      { address: '0x00008000', bytes: part.length, md5: md5Hex(part), verified: true },
    ]);
    assert.match(r.stderr, /Device: Chip ESP32/);
    const { flash } = await b.stop();
    assert.ok(flash!.subarray(0x10000, 0x10000 + app.length).equals(app));
    assert.ok(flash!.subarray(0x8000, 0x8000 + part.length).equals(part));
  });

  it('--project DIR --env NAME flashes the PlatformIO build: bootloader, partitions, boot_app0 and app', async () => {
    const project = join(dir, 'blink');
    cpSync(join(root, 'test', 'fixtures', 'pio', 'blink'), project, { recursive: true });
    execFileSync(FAKE_PIO, ['run', '-e', 'esp32dev', '-d', project], { stdio: 'ignore' });
    const b = await board();
    const r = await cli(['flash', '--project', project, '--env', 'esp32dev', '--port', b.port, '--protocol', 'esp', '--flash-baud', '115200', '--json'], { OTA_PIO: FAKE_PIO, PATH: process.env.PATH });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { regions: { address: string; verified: boolean }[]; verified: boolean };
    assert.deepEqual(out.regions.map((x) => x.address), ['0x00001000', '0x00008000', '0x0000e000', '0x00010000']);
    assert.equal(out.verified, true);
  });

  it('several --port: each board flashed, one JSON line per port; a failing board does not stop the other; exit 1', async () => {
    const good = await board();
    const bad = await board(['--never-sync']);
    const image = pattern(40_000);
    const r = await cli(['flash', file('app.bin', image), '--port', good.port, '--port', bad.port, '--protocol', 'esp', '--flash-baud', '115200', '--timeout', '1', '--json'], {});
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { port: string; result: string; verified: boolean });
    assert.deepEqual(lines.map((l) => [l.port, l.result, l.verified]), [
      [good.port, 'ok', true],
      [bad.port, 'failed', false],
    ]);
    assert.match(r.stderr, new RegExp(`ota: ${bad.port}: No ESP bootloader answered`));
    assert.match(r.stderr, new RegExp(`\\[${good.port}\\] .*Writing app.bin`));
    const { flash } = await good.stop();
    assert.ok(flash!.subarray(0x10000, 0x10000 + image.length).equals(image));
  });

  it('refuses a bad --image and --address before opening any port', async () => {
    const r1 = await cli(['flash', '--image', 'nonsense', '--port', '/dev/null', '--protocol', 'esp'], {});
    assert.equal(r1.code, 2);
    assert.match(r1.stderr, /--image must be ADDRESS:FILE/);
    const r2 = await cli(['flash', file('a.bin', pattern(100)), '--address', '0x10001', '--port', '/dev/nonexistent', '--protocol', 'esp'], {});
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /not on a 4 KiB flash sector boundary/);
  });

  it('runs from the built bundle (esptool-js inside dist/cli.js)', async () => {
    const b = await board();
    const image = pattern(20_000);
    const r = await runBundle(['flash', file('app.bin', image), '--port', b.port, '--protocol', 'esp', '--flash-baud', '115200', '--json'], { PATH: process.env.PATH, HOME: dir });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { verified: boolean; chip: string };
    assert.equal(out.verified, true);
    assert.match(out.chip, /ESP32/);
  });
});
