// `ota build` through run(), with the fake pio of the test fixtures building a copy of the blink project.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAKE_PIO, TempDirs } from '../platformio/helpers';
import { assertOneLineError, cli, lastLine, parseJsonOut, type Env } from './helpers';

describe('cli build', function () {
  this.timeout(10_000);
  const temp = new TempDirs();
  let env: Env;
  let project: string;

  beforeEach(() => {
    project = temp.project('blink');
    env = { PATH: process.env.PATH, HOME: temp.make('ota-home-'), OTA_PIO: FAKE_PIO };
  });
  after(() => temp.cleanup());

  it('streams pio to stderr and prints the image path; --json gives path, size, env and project', async () => {
    const r = await cli(['build', '--project', project], env);
    assert.equal(r.code, 0, r.stderr);
    const image = join(project, '.pio', 'build', 'esp32dev', 'firmware.bin');
    assert.equal(r.stdout, `${image}\n`);
    assert.match(r.stderr, /^Building environment "esp32dev" of blink\nProcessing esp32dev \(platform: espressif32/);
    assert.match(r.stderr, /\n={10,} \[SUCCESS\] Took /);
    const json = parseJsonOut(await cli(['build', '--project', project, '--env', 'nodemcuv2', '--json'], env));
    const other = join(project, '.pio', 'build', 'nodemcuv2', 'firmware.bin');
    assert.deepEqual(json, { path: other, size: readFileSync(other).length, env: 'nodemcuv2', projectDir: project });
  });

  it('ends a failed build with its compiler errors as file:line:col and a non-zero exit', async () => {
    writeFileSync(join(project, 'src', 'extra.cpp'), 'int x;\n  // fake-pio-error: expected \';\' before \'}\' token\n');
    const r = await cli(['build', '--project', project], { ...env, FAKE_PIO_FAIL: '1' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /\n\n2 compiler errors:\nsrc\/main\.cpp:12:5: error: 'foo' was not declared in this scope\nsrc\/extra\.cpp:2:3: error: expected ';' before '}' token\nota: /,
    );
    assert.match(lastLine(r.stderr), /^ota: The build of environment "esp32dev" failed: pio exited with code 1\. src\/main\.cpp:12:5: error: 'foo' was not declared in this scope \(and 1 more error\)/);
  });

  it('names OTA_PIO, a missing platformio.ini and an unknown or unchosen environment', async () => {
    assertOneLineError(await cli(['build', '--project', project], { ...env, OTA_PIO: join(project, 'no-pio') }), 1, /OTA_PIO is .*no-pio, which does not exist\. Point OTA_PIO at the pio executable/);
    assertOneLineError(await cli(['build', '--project', join(project, 'src')], env), 1, /No platformio\.ini in .*src: this is not a PlatformIO project/);
    assertOneLineError(await cli(['build', '--project', project, '--env', 'uno'], env), 2, /has no environment 'uno': use one of esp32dev, nodemcuv2/);
    const ini = join(project, 'platformio.ini');
    writeFileSync(ini, readFileSync(ini, 'utf8').replace('default_envs = esp32dev', ''));
    assertOneLineError(await cli(['build', '--project', project], env), 2, /defines 2 environments and no default_envs: choose one with --env \(esp32dev, nodemcuv2\)/);
  });
});
