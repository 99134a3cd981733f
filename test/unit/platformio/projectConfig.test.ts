import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { OtaError } from '../../../src/core/errors';
import { interpolatePercent, parseIni } from '../../../src/core/platformio/iniParser';
import {
  buildDirOf,
  computeProjectConfig,
  configValue,
  parseMultiValue,
  type ComputedConfig,
} from '../../../src/core/platformio/projectConfig';
import { TempDirs, writeFile } from './helpers';

describe('platformio/iniParser', () => {
  it('reads sections, = and : delimiters, lower-cased names, comments and continuation lines', () => {
    const ini = parseIni(
      [
        '; leading comment',
        '# another',
        '[env:dev]',
        'Board = esp32dev   ; inline comment',
        'upload_port: /dev/ttyUSB0',
        'url = http://x/#anchor;not-a-comment',
        'build_flags =',
        '    -D A=1',
        '; a comment inside the value',
        '',
        '    -D B="two words"  # trailing',
        'empty =',
        '  [not a section]',
        '',
        '[other]',
        'key=value',
      ].join('\r\n'),
    );
    assert.deepEqual([...ini.keys()], ['env:dev', 'other']);
    const dev = ini.get('env:dev')!;
    assert.equal(dev.get('board'), 'esp32dev');
    assert.equal(dev.get('upload_port'), '/dev/ttyUSB0');
    assert.equal(dev.get('url'), 'http://x/#anchor;not-a-comment');
    assert.equal(dev.get('build_flags'), '\n-D A=1\n\n-D B="two words"');
    assert.equal(dev.get('empty'), '\n[not a section]');
    assert.equal(ini.get('other')!.get('key'), 'value');
  });

  it('merges a second text into the same sections, later values winning', () => {
    const ini = parseIni('[a]\nx = 1\ny = 2\n');
    parseIni('[a]\ny = 3\n[b]\nz = 4\n', 'extra.ini', ini);
    assert.deepEqual([...ini.get('a')!], [['x', '1'], ['y', '3']]);
    assert.deepEqual([...ini.get('b')!], [['z', '4']]);
  });

  it('rejects options before any section and lines that are not options', () => {
    assert.throws(() => parseIni('x = 1\n[a]\n'), (e: unknown) => e instanceof OtaError && /line 1: "x = 1" comes before any \[section\]/.test(e.message));
    assert.throws(() => parseIni('[a]\nx = 1\njust words\n', 'p.ini'), /p\.ini line 3: "just words" is neither/);
  });

  it('applies configparser percent interpolation', () => {
    const section = new Map([['name', 'blink'], ['flags', '-D NAME=%(name)s -D PCT=100%%']]);
    assert.equal(interpolatePercent(section.get('flags')!, section), '-D NAME=blink -D PCT=100%');
  });
});

describe('platformio/projectConfig', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('parses list values the way PlatformIO does', () => {
    assert.deepEqual(parseMultiValue('\n-D A=1\n; comment\n\n-D B=2 ; note\n'), ['-D A=1', '-D B=2']);
    assert.deepEqual(parseMultiValue('one, two,three'), ['one', 'two,three']);
    assert.deepEqual(parseMultiValue(''), []);
  });

  it('computes env sections with [env] and extends inheritance, first definition winning', async () => {
    const dir = temp.make();
    writeFile(
      path.join(dir, 'platformio.ini'),
      [
        '[platformio]',
        'default_envs = release, debug',
        '[env]',
        'framework = arduino',
        'monitor_speed = 9600',
        'build_flags = -D COMMON',
        '[common]',
        'monitor_speed = 115200',
        'board = base-board',
        '[extra]',
        'board = extra-board',
        'upload_speed = 921600',
        '[env:release]',
        'extends = common, extra',
        'platform = espressif32',
        'build_flags =',
        '    ${env.build_flags}',
        '    -D FIRMWARE_VERSION=\\"2.0.0\\"',
        '    -D ENV_NAME=${this.__env__}',
        '    -D BOARD=${this.board}',
        '[env:debug]',
        'extends = env:release',
        'build_flags = ${env:release.build_flags} -D DEBUG',
      ].join('\n'),
      0o644,
    );
    const config = await computeProjectConfig(dir, { env: {} });
    assert.deepEqual(
      config.map(([s]) => s),
      ['platformio', 'env', 'common', 'extra', 'env:release', 'env:debug'],
    );
    assert.deepEqual(configValue(config, 'platformio', 'default_envs'), ['release', 'debug']);
    const release = config.find(([s]) => s === 'env:release')![1];
    assert.deepEqual(release, [
      ['extends', ['common', 'extra']],
      ['platform', 'espressif32'],
      ['build_flags', ['-D COMMON', '-D FIRMWARE_VERSION=\\"2.0.0\\"', '-D ENV_NAME=release', '-D BOARD=base-board']],
      ['monitor_speed', '115200'],
      ['board', 'base-board'],
      ['upload_speed', '921600'],
      ['framework', ['arduino']],
    ]);
    assert.deepEqual(configValue(config, 'env:debug', 'build_flags'), [
      '-D COMMON',
      '-D FIRMWARE_VERSION=\\"2.0.0\\"',
      '-D ENV_NAME=release',
      '-D BOARD=base-board -D DEBUG',
    ]);
    assert.equal(configValue(config, 'env:debug', 'platform'), 'espressif32');
  });

  it('expands ${sysenv.X} and ${PROJECT_DIR}, and takes PLATFORMIO_* variables into account', async () => {
    const dir = temp.make();
    writeFile(
      path.join(dir, 'platformio.ini'),
      '[platformio]\ndefault_envs = a\n[env:a]\nbuild_flags = -D TOKEN=${sysenv.OTA_TEST_TOKEN}\nupload_port = ${PROJECT_DIR}/port\n[env:b]\n',
      0o644,
    );
    const config = await computeProjectConfig(dir, {
      env: { OTA_TEST_TOKEN: 'abc', PLATFORMIO_BUILD_FLAGS: '-D FROM_ENV', PLATFORMIO_DEFAULT_ENVS: 'b', PLATFORMIO_BUILD_DIR: '/tmp/x' },
    });
    assert.deepEqual(configValue(config, 'env:a', 'build_flags'), ['-D TOKEN=abc', '-D FROM_ENV']);
    assert.deepEqual(configValue(config, 'env:b', 'build_flags'), ['-D FROM_ENV']);
    assert.equal(configValue(config, 'env:a', 'upload_port'), `${dir}/port`);
    assert.deepEqual(configValue(config, 'platformio', 'default_envs'), ['b']);
    assert.equal(configValue(config, 'platformio', 'build_dir'), '/tmp/x');
  });

  it('reads extra_configs, with a wildcard in the file name', async () => {
    const dir = temp.make();
    writeFile(path.join(dir, 'platformio.ini'), '[platformio]\nextra_configs =\n  conf/*.ini\n  missing.ini\n[env:a]\nboard = one\n', 0o644);
    writeFile(path.join(dir, 'conf', 'b.ini'), '[env:a]\nboard = two\n[env:c]\nboard = three\n', 0o644);
    writeFile(path.join(dir, 'conf', 'notes.txt'), '[env:z]\n', 0o644);
    const config = await computeProjectConfig(dir, { env: {} });
    assert.deepEqual(config.map(([s]) => s), ['platformio', 'env:a', 'env:c']);
    assert.equal(configValue(config, 'env:a', 'board'), 'two');
  });

  it('refuses a directory without platformio.ini and endless ${} references', async () => {
    const dir = temp.make();
    await assert.rejects(computeProjectConfig(dir), (e: unknown) => e instanceof OtaError && e.kind === 'not-found' && e.message.includes(dir));
    writeFile(path.join(dir, 'platformio.ini'), '[env:a]\nboard = ${env:a.board}\n', 0o644);
    await assert.rejects(computeProjectConfig(dir, { env: {} }), /refers to itself/);
  });

  it('locates the build directory from build_dir, workspace_dir or the default', () => {
    const project = path.resolve('/work/p');
    const withOptions = (options: Array<[string, string]>): ComputedConfig => [['platformio', options]];
    assert.equal(buildDirOf([], project), path.join(project, '.pio', 'build'));
    assert.equal(buildDirOf(withOptions([['build_dir', 'out']]), project), path.join(project, 'out'));
    assert.equal(buildDirOf(withOptions([['build_dir', '$PROJECT_DIR/b']]), project), path.join(project, 'b'));
    assert.equal(buildDirOf(withOptions([['workspace_dir', '.ws']]), project), path.join(project, '.ws', 'build'));
    assert.equal(buildDirOf(withOptions([['build_dir', '~/cache/b']]), project, '/home/u'), path.join('/home/u', 'cache', 'b'));
  });
});
