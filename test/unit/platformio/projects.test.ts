import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { findProjects } from '../../../src/core/platformio/projects';
import { TempDirs, writeFile } from './helpers';

describe('platformio/findProjects', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('finds the folder itself and projects up to two levels below, skipping .pio, node_modules and .git', async () => {
    const root = temp.make();
    const ini = (dir: string) => writeFile(path.join(root, dir, 'platformio.ini'), '[env:a]\n', 0o644);
    ini('.');
    ini('firmware/sensor');
    ini('gateway');
    ini('a/b/too-deep');
    ini('.pio/libdeps/x');
    ini('node_modules/lib');
    ini('.git/y');
    writeFile(path.join(root, 'docs', 'platformio.ini', 'not-a-file'), '', 0o644);
    const other = temp.make();
    writeFile(path.join(other, 'tool', 'platformio.ini'), '[env:b]\n', 0o644);

    const found = await findProjects([root, path.join(root, 'missing'), other, root]);
    assert.deepEqual(found, [root, path.join(root, 'firmware', 'sensor'), path.join(root, 'gateway'), path.join(other, 'tool')]);
  });

  it('returns nothing for folders without a project', async () => {
    const root = temp.make();
    writeFile(path.join(root, 'src', 'main.cpp'), 'int main() {}\n', 0o644);
    assert.deepEqual(await findProjects([root]), []);
  });
});
