import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OtaError } from '../../../src/core/errors';
import { artifactPath, clearArtifact, findArtifact, MTIME_SLACK_MS, resolveBuildDir } from '../../../src/core/platformio/artifact';
import { TempDirs, writeFile } from './helpers';

describe('platformio/artifact', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  function project(ini = '[env:esp32dev]\n'): string {
    const dir = temp.make();
    writeFile(path.join(dir, 'platformio.ini'), ini, 0o644);
    return dir;
  }

  function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
    return assert.rejects(promise, (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'invalid-input');
      assert.match(e.message, pattern);
      return true;
    });
  }

  it('returns the image of the environment with its size and time', async () => {
    const dir = project();
    const file = writeFile(path.join(dir, '.pio', 'build', 'esp32dev', 'firmware.bin'), 'IMAGE', 0o644);
    const startedAt = new Date(Date.now() - 1000);
    const artifact = await findArtifact(dir, 'esp32dev', { buildStartedAt: startedAt });
    assert.equal(artifact.path, file);
    assert.equal(artifact.size, 5);
    assert.equal(artifact.mtime.getTime(), fs.statSync(file).mtime.getTime());
  });

  it('refuses a missing image, asking whether the build succeeded', async () => {
    const dir = project();
    const expected = path.join(dir, '.pio', 'build', 'esp32dev', 'firmware.bin');
    await rejectsWith(findArtifact(dir, 'esp32dev'), new RegExp(`^No firmware\\.bin at ${expected.replace(/[.\\]/g, '\\$&')}: did the build of environment "esp32dev" succeed\\?$`));
  });

  it('refuses an empty image', async () => {
    const dir = project();
    writeFile(path.join(dir, '.pio', 'build', 'esp32dev', 'firmware.bin'), '', 0o644);
    await rejectsWith(findArtifact(dir, 'esp32dev'), /is empty \(0 bytes\): the build did not produce an image/);
  });

  it('refuses an image older than the build start, allowing for coarse file times', async () => {
    const dir = project();
    const file = writeFile(path.join(dir, '.pio', 'build', 'esp32dev', 'firmware.bin'), 'OLD', 0o644);
    const startedAt = new Date();
    const stale = new Date(startedAt.getTime() - MTIME_SLACK_MS - 5000);
    fs.utimesSync(file, stale, stale);
    await rejectsWith(findArtifact(dir, 'esp32dev', { buildStartedAt: startedAt }), new RegExp(`is stale: written ${stale.toISOString().replace(/\./g, '\\.')}, before the build started`));
    // Without a build start only existence and size count.
    assert.equal((await findArtifact(dir, 'esp32dev')).size, 3);
    const coarse = new Date(startedAt.getTime() - MTIME_SLACK_MS / 2);
    fs.utimesSync(file, coarse, coarse);
    assert.equal((await findArtifact(dir, 'esp32dev', { buildStartedAt: startedAt })).size, 3);
  });

  it('follows build_dir and workspace_dir, or the build directory it is given', async () => {
    const withBuildDir = project('[platformio]\nbuild_dir = ${PROJECT_DIR}/out\n[env:a]\n');
    assert.equal(await resolveBuildDir(withBuildDir), path.join(withBuildDir, 'out'));
    const file = writeFile(path.join(withBuildDir, 'out', 'a', 'firmware.bin'), 'X', 0o644);
    assert.equal((await findArtifact(withBuildDir, 'a')).path, file);
    const withWorkspace = project('[platformio]\nworkspace_dir = ws\n[env:a]\n');
    assert.equal(await artifactPath(withWorkspace, 'a'), path.join(withWorkspace, 'ws', 'build', 'a', 'firmware.bin'));
    assert.equal(await artifactPath(withWorkspace, 'a', { buildDir: 'elsewhere' }), path.join(withWorkspace, 'elsewhere', 'a', 'firmware.bin'));
    const noIni = temp.make();
    assert.equal(await resolveBuildDir(noIni), path.join(noIni, '.pio', 'build'));
  });

  it('clears the previous image and tolerates its absence', async () => {
    const dir = project();
    const file = writeFile(path.join(dir, '.pio', 'build', 'esp32dev', 'firmware.bin'), 'IMAGE', 0o644);
    await clearArtifact(dir, 'esp32dev');
    assert.equal(fs.existsSync(file), false);
    await clearArtifact(dir, 'esp32dev');
  });
});
