import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitDescribe, macroDefinitions, resolveVersion, splitFlags, versionFromBuildFlags } from '../../../src/core/platformio/version';
import { TempDirs, writeFile } from './helpers';

const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], {
    cwd: dir,
    env: GIT_ENV,
    stdio: 'ignore',
  });
}

describe('platformio/version', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('splits flags like shlex', () => {
    assert.deepEqual(splitFlags(`-D A=1  -DB="two words" '-D C="x"' -DD=\\"1.2\\" -I "inc dir"`), [
      '-D',
      'A=1',
      '-DB=two words',
      '-D C="x"',
      '-DD="1.2"',
      '-I',
      'inc dir',
    ]);
    assert.deepEqual(splitFlags(`-DQ="say \\"hi\\""`), ['-DQ=say "hi"']);
    assert.deepEqual(splitFlags('   '), []);
  });

  it('finds FIRMWARE_VERSION in every quoting PlatformIO users write', () => {
    const cases: Array<[string[], string]> = [
      [['-D FIRMWARE_VERSION=1.4.2'], '1.4.2'],
      [['-DFIRMWARE_VERSION=1.4.2'], '1.4.2'],
      [['-DFIRMWARE_VERSION=\\"1.4.2\\"'], '1.4.2'],
      [['-D FIRMWARE_VERSION=\\"1.4.2-rc1\\"'], '1.4.2-rc1'],
      [[`'-DFIRMWARE_VERSION="1.4.2"'`], '1.4.2'],
      [[`'-D FIRMWARE_VERSION="1.4.2"'`], '1.4.2'],
      [[`-DFIRMWARE_VERSION='"1.4.2"'`], '1.4.2'],
      [[`'-DFIRMWARE_VERSION=\\"1.4.2\\"'`], '1.4.2'],
      [['-Wall -DDEBUG -D FIRMWARE_VERSION=2.0.0 -Os'], '2.0.0'],
    ];
    for (const [flags, expected] of cases) assert.deepEqual(versionFromBuildFlags(flags), { version: expected, macro: 'FIRMWARE_VERSION' }, flags[0]);
  });

  it('prefers FIRMWARE_VERSION over APP_VERSION, the last definition winning, and skips dynamic flags', () => {
    assert.deepEqual(versionFromBuildFlags(['-D APP_VERSION=9.9.9', '-D FIRMWARE_VERSION=1.0.0', '-D FIRMWARE_VERSION=1.0.1']), {
      version: '1.0.1',
      macro: 'FIRMWARE_VERSION',
    });
    assert.deepEqual(versionFromBuildFlags(['-D APP_VERSION=3.1.0']), { version: '3.1.0', macro: 'APP_VERSION' });
    assert.equal(versionFromBuildFlags(['-D FIRMWARE_VERSION', '-D VERSION=1.0.0', '!python version.py']), undefined);
    assert.deepEqual(macroDefinitions(['-D A -DB=2 -D']), [
      { name: 'A', value: undefined },
      { name: 'B', value: '2' },
    ]);
  });

  it('resolves the setting first, then the build flag, then git describe, else nothing', async () => {
    const dir = temp.make();
    writeFile(path.join(dir, 'platformio.ini'), '[env:a]\n', 0o644);
    const flags = ['-D FIRMWARE_VERSION=1.4.2'];

    assert.equal(await resolveVersion({ projectDir: dir, env: GIT_ENV }), undefined);
    git(dir, 'init', '-q');
    assert.equal(await resolveVersion({ projectDir: dir, env: GIT_ENV }), undefined, 'a repository without commits');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'first');
    git(dir, 'tag', 'v2.0.1');

    assert.deepEqual(await resolveVersion({ setting: ' 3.0.0 ', buildFlags: flags, projectDir: dir, env: GIT_ENV }), {
      version: '3.0.0',
      source: 'setting',
      detail: 'setting',
    });
    assert.deepEqual(await resolveVersion({ setting: '', buildFlags: flags, projectDir: dir, env: GIT_ENV }), {
      version: '1.4.2',
      source: 'build-flag',
      detail: '-D FIRMWARE_VERSION',
    });
    assert.deepEqual(await resolveVersion({ buildFlags: ['-DDEBUG'], projectDir: dir, env: GIT_ENV }), {
      version: 'v2.0.1',
      source: 'git',
      detail: 'git describe --tags --always --dirty',
    });
    assert.equal(await resolveVersion({ projectDir: dir, env: GIT_ENV, gitDescribe: false }), undefined);

    fs.appendFileSync(path.join(dir, 'platformio.ini'), 'board = x\n');
    assert.equal(await gitDescribe(dir, { env: GIT_ENV }), 'v2.0.1-dirty');
    git(dir, 'commit', '-q', '-am', 'second');
    assert.match((await gitDescribe(dir, { env: GIT_ENV }))!, /^v2\.0\.1-1-g[0-9a-f]+$/);
  });

  it('gives up quietly when git is missing', async () => {
    const dir = temp.make();
    assert.equal(await gitDescribe(dir, { git: path.join(dir, 'no-git') }), undefined);
  });
});
