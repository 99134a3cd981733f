import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { OtaError } from '../../../src/core/errors';
import { findPio, PIO_PATH_SETTING } from '../../../src/core/platformio/findPio';
import { TempDirs, writeFile } from './helpers';

const SCRIPT = '#!/bin/sh\nexit 0\n';

describe('platformio/findPio', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  /** A home with the PlatformIO IDE's pio, two PATH directories, and what each holds. */
  function layout() {
    const root = temp.make();
    const home = path.join(root, 'home');
    const binA = path.join(root, 'binA');
    const binB = path.join(root, 'binB');
    return { root, home, binA, binB, ide: path.join(home, '.platformio', 'penv', 'bin', 'pio') };
  }

  it('takes the configured path first, even when the IDE copy and PATH have one', async () => {
    const l = layout();
    const configured = writeFile(path.join(l.root, 'custom', 'pio'), SCRIPT);
    writeFile(l.ide, SCRIPT);
    writeFile(path.join(l.binA, 'pio'), SCRIPT);
    const found = await findPio({ configuredPath: configured, env: { PATH: l.binA }, platform: 'linux', homeDir: l.home });
    assert.deepEqual(found, { path: configured, source: 'setting' });
  });

  it('expands ~ in the configured path and looks a bare name up on PATH', async () => {
    const l = layout();
    writeFile(path.join(l.home, 'tools', 'pio'), SCRIPT);
    const tilde = await findPio({ configuredPath: '~/tools/pio', env: {}, platform: 'linux', homeDir: l.home });
    assert.equal(tilde.path, path.join(l.home, 'tools', 'pio'));
    const onPath = writeFile(path.join(l.binB, 'platformio'), SCRIPT);
    const bare = await findPio({ configuredPath: 'platformio', env: { PATH: `${l.binA}:${l.binB}` }, platform: 'linux', homeDir: l.home });
    assert.deepEqual(bare, { path: onPath, source: 'setting' });
  });

  it('refuses a configured path that is missing, not executable or a directory, naming the setting', async () => {
    const l = layout();
    writeFile(l.ide, SCRIPT);
    const missing = path.join(l.root, 'nope', 'pio');
    await assert.rejects(findPio({ configuredPath: missing, env: {}, platform: 'linux', homeDir: l.home }), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'not-found');
      assert.ok(e.message.includes(PIO_PATH_SETTING) && e.message.includes(missing) && e.message.includes('does not exist'), e.message);
      return true;
    });
    const plain = writeFile(path.join(l.root, 'plain', 'pio'), SCRIPT, 0o644);
    await assert.rejects(findPio({ configuredPath: plain, env: {}, platform: 'linux', homeDir: l.home }), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'invalid-input');
      assert.match(e.message, /ota\.platformio\.path.*is not executable/);
      return true;
    });
    await assert.rejects(findPio({ configuredPath: l.root, env: {}, platform: 'linux', homeDir: l.home }), /is not a file/);
    await assert.rejects(findPio({ configuredPath: 'no-such-pio', env: { PATH: l.binA }, platform: 'linux', homeDir: l.home }), /not on PATH/);
  });

  it('ignores an empty setting and prefers the PlatformIO IDE copy over PATH', async () => {
    const l = layout();
    writeFile(l.ide, SCRIPT);
    writeFile(path.join(l.binA, 'pio'), SCRIPT);
    const found = await findPio({ configuredPath: '  ', env: { PATH: l.binA }, platform: 'linux', homeDir: l.home });
    assert.deepEqual(found, { path: l.ide, source: 'platformio-ide' });
  });

  it('uses PLATFORMIO_CORE_DIR for the IDE copy and falls back to penv/bin/platformio', async () => {
    const l = layout();
    const core = path.join(l.root, 'core');
    const platformio = writeFile(path.join(core, 'penv', 'bin', 'platformio'), SCRIPT);
    const found = await findPio({ env: { PLATFORMIO_CORE_DIR: core }, platform: 'linux', homeDir: l.home });
    assert.deepEqual(found, { path: platformio, source: 'platformio-ide' });
  });

  it('searches PATH in order for pio before platformio, skipping files that are not executable', async () => {
    const l = layout();
    writeFile(path.join(l.binA, 'pio'), SCRIPT, 0o644);
    const platformioA = writeFile(path.join(l.binA, 'platformio'), SCRIPT);
    const pioB = writeFile(path.join(l.binB, 'pio'), SCRIPT);
    const env = { PATH: `${l.binA}:${l.binB}` };
    assert.deepEqual(await findPio({ env, platform: 'linux', homeDir: l.home }), { path: pioB, source: 'path' });
    assert.deepEqual(await findPio({ env: { PATH: l.binA }, platform: 'linux', homeDir: l.home }), { path: platformioA, source: 'path' });
  });

  it('on Windows looks for Scripts\\pio.exe, then PATH with PATHEXT and a case-insensitive Path variable', async () => {
    const l = layout();
    const env = { Path: `${l.binA};${l.binB}`, PATHEXT: '.COM;.EXE;.BAT;.CMD' };
    const cmd = writeFile(path.join(l.binB, 'pio.cmd'), '@echo off\r\n', 0o644);
    assert.deepEqual(await findPio({ env, platform: 'win32', homeDir: l.home }), { path: cmd, source: 'path' });
    const exe = writeFile(path.join(l.home, '.platformio', 'penv', 'Scripts', 'pio.exe'), 'MZ', 0o644);
    assert.deepEqual(await findPio({ env, platform: 'win32', homeDir: l.home }), { path: exe, source: 'platformio-ide' });
  });

  it('says how to install PlatformIO or set the setting when there is none', async () => {
    const l = layout();
    writeFile(path.join(l.binA, 'pio'), SCRIPT, 0o644);
    await assert.rejects(findPio({ env: { PATH: l.binA }, platform: 'linux', homeDir: l.home }), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'not-found');
      assert.match(e.message, /PlatformIO was not found/);
      assert.match(e.describe(), /Install PlatformIO Core .*ota\.platformio\.path/);
      return true;
    });
  });
});
