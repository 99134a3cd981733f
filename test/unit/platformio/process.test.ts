import * as assert from 'node:assert/strict';
import { LineSplitter, planSpawn, runCommand } from '../../../src/core/platformio/process';

describe('platformio/process', () => {
  it('splits streamed text into lines across chunk boundaries', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    for (const chunk of ['one\r', '\ntw', 'o\nthree\rfour', '\r', '\r\n', 'last']) splitter.push(chunk);
    splitter.flush();
    assert.deepEqual(lines, ['one', 'two', 'three', 'four', '', 'last']);
  });

  it('collects output and the exit code', async () => {
    const result = await runCommand({
      command: process.execPath,
      args: ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'],
      cwd: __dirname,
    });
    assert.deepEqual(result, { exitCode: 3, signal: null, cancelled: false, timedOut: false, stdout: 'out', stderr: 'err' });
  });

  it('ends a process that runs past its time limit', async () => {
    const result = await runCommand({ command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'], cwd: __dirname, timeoutMs: 100 });
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, null);
    assert.equal(result.signal, 'SIGTERM');
  });

  it('runs Windows batch shims through cmd.exe with quoted arguments', () => {
    const plan = planSpawn({ command: 'C:\\pio dir\\pio.cmd', args: ['run', '-d', 'C:\\my project'], cwd: 'C:\\', platform: 'win32', env: { ComSpec: 'C:\\Windows\\cmd.exe' } });
    assert.equal(plan.command, 'C:\\Windows\\cmd.exe');
    assert.deepEqual(plan.args, ['/d', '/s', '/c', '""C:\\pio dir\\pio.cmd" run -d "C:\\my project""']);
    assert.equal(plan.options.windowsVerbatimArguments, true);
    assert.equal(planSpawn({ command: '/usr/bin/pio', args: [], cwd: '/', platform: 'linux' }).options.detached, true);
  });
});
