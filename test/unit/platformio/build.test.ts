import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OtaError } from '../../../src/core/errors';
import { findArtifact } from '../../../src/core/platformio/artifact';
import { buildCommand, buildFailure, runBuild } from '../../../src/core/platformio/build';
import { FAKE_PIO, fakePioEnv, TempDirs } from './helpers';

/** Whether a process still runs (a zombie counts as gone). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
}

// A wait for something that must happen, not a speed limit: starting or ending two Node processes takes seconds on
// a loaded machine, so the limit only catches what never happens.
async function until(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  for (const end = Date.now() + limitMs; !condition(); ) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('platformio/build', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('builds `pio run -e ENV -d DIR` in the project directory', () => {
    const dir = path.resolve('/work/blink');
    assert.deepEqual(buildCommand({ pio: '/usr/bin/pio', projectDir: dir, env: 'esp32dev' }), {
      command: '/usr/bin/pio',
      args: ['run', '-e', 'esp32dev', '-d', dir],
      cwd: dir,
    });
  });

  it('runs a successful build, streaming its lines, and leaves a fresh firmware.bin', async () => {
    const dir = temp.project('blink');
    const lines: Array<[string, string]> = [];
    const result = await runBuild({
      pio: FAKE_PIO,
      projectDir: dir,
      env: 'nodemcuv2',
      processEnv: fakePioEnv(),
      onOutput: (line, stream) => lines.push([stream, line]),
    });
    assert.equal(result.exitCode, 0);
    assert.equal(result.succeeded, true);
    assert.deepEqual(result.diagnostics, []);
    assert.ok(result.startedAt <= result.finishedAt);
    const stdout = lines.filter(([s]) => s === 'stdout').map(([, l]) => l);
    assert.equal(stdout[0], 'Processing nodemcuv2 (platform: espressif8266; board: nodemcuv2; framework: arduino)');
    for (const expected of ['Compiling .pio/build/nodemcuv2/src/main.cpp.o', 'Linking .pio/build/nodemcuv2/firmware.elf', 'Building .pio/build/nodemcuv2/firmware.bin']) {
      assert.ok(stdout.includes(expected), expected);
    }
    assert.ok(stdout.some((l) => /\[SUCCESS\] Took [\d.]+ seconds/.test(l)));
    const artifact = await findArtifact(dir, 'nodemcuv2', { buildStartedAt: result.startedAt });
    assert.equal(artifact.path, path.join(dir, '.pio', 'build', 'nodemcuv2', 'firmware.bin'));
    assert.match(fs.readFileSync(artifact.path, 'latin1'), /^FAKE-PIO FIRMWARE\nenv=nodemcuv2\nbuild=1\nversion=1\.4\.2\n/);
    assert.equal(artifact.size, fs.statSync(artifact.path).size);
  });

  it('removes the previous image first, so an up-to-date rebuild does not leave a stale one', async () => {
    const dir = temp.project('blink');
    const env = fakePioEnv();
    await runBuild({ pio: FAKE_PIO, projectDir: dir, env: 'esp32dev', processEnv: env });
    // As if the sources and the image were from earlier: PlatformIO (and the fake) then keeps the image as it is.
    const firmware = path.join(dir, '.pio', 'build', 'esp32dev', 'firmware.bin');
    const old = new Date(Date.now() - 120_000);
    for (const file of [path.join(dir, 'src', 'main.cpp'), path.join(dir, 'platformio.ini')]) fs.utimesSync(file, old, old);
    const earlier = new Date(Date.now() - 60_000);
    fs.utimesSync(firmware, earlier, earlier);

    const kept = await runBuild({ pio: FAKE_PIO, projectDir: dir, env: 'esp32dev', processEnv: env, clearPrevious: false });
    assert.equal(kept.exitCode, 0);
    await assert.rejects(findArtifact(dir, 'esp32dev', { buildStartedAt: kept.startedAt }), /is stale/);

    const fresh = await runBuild({ pio: FAKE_PIO, projectDir: dir, env: 'esp32dev', processEnv: env });
    const artifact = await findArtifact(dir, 'esp32dev', { buildStartedAt: fresh.startedAt });
    assert.match(fs.readFileSync(artifact.path, 'latin1'), /build=2\n/);
  });

  it('reports a failed build with the compiler errors parsed', async () => {
    const dir = temp.project('broken');
    const lines: string[] = [];
    const result = await runBuild({ pio: FAKE_PIO, projectDir: dir, env: 'esp32dev', processEnv: fakePioEnv(), onOutput: (l) => lines.push(l) });
    assert.equal(result.exitCode, 1);
    assert.equal(result.succeeded, false);
    assert.deepEqual(result.diagnostics, [
      { file: path.join(dir, 'src', 'main.cpp'), line: 12, column: 5, severity: 'error', message: "'foo' was not declared in this scope" },
    ]);
    assert.ok(lines.includes('*** [.pio/build/esp32dev/src/main.cpp.o] Error 1'));
    const error = buildFailure(result);
    assert.equal(error.kind, 'failed');
    assert.equal(
      error.message,
      `The build of environment "esp32dev" failed: pio exited with code 1. ${path.join('src', 'main.cpp')}:12:5: error: 'foo' was not declared in this scope`,
    );
    await assert.rejects(findArtifact(dir, 'esp32dev', { buildStartedAt: result.startedAt }), /No firmware\.bin at .*did the build of environment "esp32dev" succeed\?/);
  });

  it('fails on demand (FAKE_PIO_FAIL) and counts further errors', async () => {
    const dir = temp.project('blink');
    fs.appendFileSync(path.join(dir, 'src', 'main.cpp'), '#error "no board selected"\n');
    const result = await runBuild({ pio: FAKE_PIO, projectDir: dir, env: 'esp32dev', processEnv: fakePioEnv({ FAKE_PIO_FAIL: '1' }) });
    assert.equal(result.exitCode, 1);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.line, d.column, d.message]),
      [
        [12, 5, "'foo' was not declared in this scope"],
        [19, 2, '#error "no board selected"'],
      ],
    );
    assert.match(buildFailure(result).message, /\(and 1 more error\)$/);
  });

  it('cancels a running build by ending the whole process tree', async function () {
    this.timeout(75_000); // only reached when the tree survives: then `until` below says so
    const dir = temp.project('blink');
    const pidFile = path.join(dir, 'pio.pid');
    const childPidFile = path.join(dir, 'compiler.pid');
    const controller = new AbortController();
    const build = runBuild({
      pio: FAKE_PIO,
      projectDir: dir,
      env: 'esp32dev',
      signal: controller.signal,
      processEnv: fakePioEnv({ FAKE_PIO_DELAY_MS: '60000', FAKE_PIO_PID_FILE: pidFile, FAKE_PIO_CHILD_PID_FILE: childPidFile }),
    });
    await until(() => fs.existsSync(childPidFile) && fs.readFileSync(childPidFile, 'utf8') !== '', 'the fake compiler to start');
    const pids = [pidFile, childPidFile].map((f) => Number(fs.readFileSync(f, 'utf8')));
    assert.ok(pids.every(isRunning));
    controller.abort();
    await assert.rejects(build, (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'cancelled');
      assert.equal(e.message, 'The build of environment "esp32dev" was cancelled.');
      return true;
    });
    await until(() => !pids.some(isRunning), 'pio and its compiler to end');
    assert.equal(fs.existsSync(path.join(dir, '.pio', 'build', 'esp32dev', 'firmware.bin')), false);
  });

  it('starts nothing when already cancelled, and says when pio cannot start', async () => {
    const dir = temp.project('blink');
    const controller = new AbortController();
    controller.abort();
    const pidFile = path.join(dir, 'pio.pid');
    await assert.rejects(
      runBuild({ pio: FAKE_PIO, projectDir: dir, env: 'esp32dev', signal: controller.signal, processEnv: fakePioEnv({ FAKE_PIO_PID_FILE: pidFile }) }),
      (e: unknown) => e instanceof OtaError && e.kind === 'cancelled',
    );
    assert.equal(fs.existsSync(pidFile), false);
    await assert.rejects(runBuild({ pio: path.join(dir, 'missing-pio'), projectDir: dir, env: 'esp32dev' }), (e: unknown) => {
      return e instanceof OtaError && e.kind === 'not-found' && /Could not start missing-pio/.test(e.message);
    });
  });
});
