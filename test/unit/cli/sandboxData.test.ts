// `--data` that cannot be a sandbox data folder, and data files of the wrong shape: one clear line naming what is
// wrong and what to do, through the real CLI and a real folder.
import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertOneLineError, cli } from './helpers';

describe('cli: sandbox data folders that cannot be used', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ota-data-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('--data pointing at a file says a file is in the way, not EEXIST', async () => {
    const file = join(dir, 'not-a-folder');
    await writeFile(file, 'x');
    for (const data of [file, join(file, 'below')]) {
      const r = await cli(['--provider', 'sandbox', '--data', data, 'firmware', 'list'], {});
      assertOneLineError(r, 1, /The sandbox data folder .* cannot be made: a file is in its way\. Choose a folder/);
      assert.doesNotMatch(r.stderr, /EEXIST|ENOTDIR/);
    }
  });

  const wrong: Array<[string, string]> = [
    ['catalog.json', '{"products": 5, "groups": []}'],
    ['catalog.json', 'null'],
    ['firmware.json', '{"firmwareId": "x"}'],
    ['jobs.json', '[1, 2]'],
    ['iotaap.json', '[]'],
    ['meta.json', '"1"'],
  ];
  for (const [name, content] of wrong) {
    it(`a ${name} holding ${content} is named with what was expected`, async () => {
      const data = join(dir, 'sandbox');
      // A real folder first, then one file replaced.
      const first = await cli(['--provider', 'sandbox', '--data', data, 'firmware', 'list', '--json'], {});
      assert.equal(first.code, 0, first.stderr);
      await writeFile(join(data, name), content);
      const r = await cli(['--provider', 'sandbox', '--data', data, 'firmware', 'list'], {});
      assertOneLineError(r, 1, new RegExp(`The sandbox data file .*${name.replace('.', '\\.')} does not hold what the sandbox writes \\(expected .*\\)\\. Fix it, or move the data folder away`));
      assert.doesNotMatch(r.stderr, /is not iterable|Cannot read|TypeError/);
    });
  }

  it('still opens a folder it wrote itself', async () => {
    const data = join(dir, 'ok');
    await mkdir(data);
    for (let i = 0; i < 2; i++) assert.equal((await cli(['--provider', 'sandbox', '--data', data, 'firmware', 'list', '--json'], {})).code, 0);
  });
});
