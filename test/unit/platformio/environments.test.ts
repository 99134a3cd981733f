import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { OtaError } from '../../../src/core/errors';
import { parsePioConfigOutput, readEnvironments } from '../../../src/core/platformio/environments';
import { FAKE_PIO, fakePioEnv, TempDirs, writeFile } from './helpers';

describe('platformio/readEnvironments', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  const blinkEnvironments = [
    {
      name: 'esp32dev',
      buildFlags: ['-D FIRMWARE_VERSION=1.4.2', '-D BLINK_INTERVAL_MS=500'],
      platform: 'espressif32',
      board: 'esp32dev',
      framework: ['arduino'],
    },
    {
      name: 'nodemcuv2',
      buildFlags: ['-D FIRMWARE_VERSION=1.4.2', '-D BLINK_INTERVAL_MS=500', '-D LED_PIN=2'],
      platform: 'espressif8266',
      board: 'nodemcuv2',
      framework: ['arduino'],
    },
  ];

  it('reads the environments through `pio project config --json-output`', async () => {
    const dir = temp.project('blink');
    const result = await readEnvironments(dir, FAKE_PIO, { env: fakePioEnv() });
    assert.deepEqual(result, {
      projectDir: dir,
      environments: blinkEnvironments,
      defaultEnvs: ['esp32dev'],
      buildDir: path.join(dir, '.pio', 'build'),
      source: 'pio',
    });
  });

  it('reads the same from platformio.ini without pio', async () => {
    const dir = temp.project('blink');
    const result = await readEnvironments(dir, undefined, { env: fakePioEnv() });
    assert.equal(result.source, 'platformio.ini');
    assert.deepEqual(result.environments, blinkEnvironments);
    assert.deepEqual(result.defaultEnvs, ['esp32dev']);
    assert.equal(result.fallbackReason, undefined);
  });

  it('falls back to platformio.ini when pio fails, saying why', async () => {
    const dir = temp.project('blink');
    const result = await readEnvironments(dir, FAKE_PIO, { env: fakePioEnv({ FAKE_PIO_CONFIG_FAIL: '1' }) });
    assert.equal(result.source, 'platformio.ini');
    assert.deepEqual(result.environments, blinkEnvironments);
    assert.match(result.fallbackReason!, /pio project config exited with code 1: .*failed on purpose/);
  });

  it('falls back when the configured pio cannot be started', async () => {
    const dir = temp.project('blink');
    const result = await readEnvironments(dir, path.join(dir, 'no-such-pio'), { env: fakePioEnv() });
    assert.equal(result.source, 'platformio.ini');
    assert.match(result.fallbackReason!, /Could not start no-such-pio/);
  });

  it('honours build_dir and drops default_envs that name no environment', async () => {
    const dir = temp.make();
    writeFile(path.join(dir, 'platformio.ini'), '[platformio]\nbuild_dir = out/b\ndefault_envs = gone, a\n[env:a]\nbuild_flags = -DX\n', 0o644);
    for (const pio of [FAKE_PIO, undefined]) {
      const result = await readEnvironments(dir, pio, { env: fakePioEnv() });
      assert.equal(result.buildDir, path.join(dir, 'out', 'b'));
      assert.deepEqual(result.defaultEnvs, ['a']);
      assert.deepEqual(result.environments[0].buildFlags, ['-DX']);
    }
  });

  it('refuses a folder without platformio.ini and a project without environments', async () => {
    const dir = temp.make();
    await assert.rejects(readEnvironments(dir, FAKE_PIO), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'not-found');
      assert.equal(e.message, `No platformio.ini in ${dir}: this is not a PlatformIO project.`);
      return true;
    });
    writeFile(path.join(dir, 'platformio.ini'), '[platformio]\ndefault_envs = a\n', 0o644);
    await assert.rejects(readEnvironments(dir, FAKE_PIO, { env: fakePioEnv() }), /defines no build environment/);
  });

  it('stops when cancelled instead of falling back', async () => {
    const dir = temp.project('blink');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(readEnvironments(dir, FAKE_PIO, { env: fakePioEnv(), signal: controller.signal }), (e: unknown) => {
      return e instanceof OtaError && e.kind === 'cancelled';
    });
  });

  it('parses pio JSON after notices and rejects other shapes', () => {
    const json = '[["env:a", [["build_flags", ["-DX"]], ["upload_speed", 921600], ["debug", true], ["none", null]]]]';
    assert.deepEqual(parsePioConfigOutput(`Checking for updates...\n${json}\n`), [
      ['env:a', [['build_flags', ['-DX']], ['upload_speed', '921600'], ['debug', 'yes'], ['none', '']]],
    ]);
    assert.throws(() => parsePioConfigOutput('{"env": 1}'), (e: unknown) => e instanceof OtaError && e.kind === 'unexpected-response');
    assert.throws(() => parsePioConfigOutput('Error: something'), /printed no JSON/);
  });
});
