// Flashing with the stream protocol from VS Code: the C agent's host build (agent/) on a pseudo-terminal, the
// flash command as the Serial view runs it, and the panel's view showing the window and the compression ratio.
import * as assert from 'node:assert/strict';
import { mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FlashResult } from '../../../src/core/serial/sessionTypes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { buildAgent, startStreamAgent, type StreamAgentProcess } from '../../sims/streamAgent';
import { ota as api } from '../support/ota';

describe('serial flash with the stream protocol to the C agent', function () {
  this.timeout(120_000);
  let pair: PtyPair;
  let agent: StreamAgentProcess;
  let dir: string;

  before(async () => {
    buildAgent();
    pair = await openPtyPair();
    dir = mkdtempSync(join(tmpdir(), 'ota-stream-it-'));
    agent = startStreamAgent({ port: pair.b, out: join(dir, 'flash.bin'), writeUsPerKib: 2000 });
    await agent.waitFor('listening');
  });
  after(async () => {
    await agent.stop();
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('flashes a compressible image; the panel shows the window and the compression ratio; verified', async () => {
    const { serial } = await api();
    // Machine code (a slice of the running executable): it compresses as firmware does.
    const bytes = Buffer.alloc(256 * 1024);
    const fd = openSync(process.execPath, 'r');
    readSync(fd, bytes, 0, bytes.length, 1 << 20);
    closeSync(fd);
    const file = join(dir, 'app.bin');
    writeFileSync(file, bytes);
    const seen = new Set<string>();
    let window = '';
    const timer = setInterval(() => {
      for (const f of serial.controller.current?.stats ?? []) {
        seen.add(f.label);
        if (f.label === 'Window' && /^[1-9]\d* of \d+ frames/.test(f.value)) window = f.value;
      }
    }, 5);
    let result: FlashResult | undefined;
    try {
      result = await vscode.commands.executeCommand<FlashResult | undefined>('ota.serial.flash', { image: file, port: pair.a, protocol: 'stream', baud: 115200 });
    } finally {
      clearInterval(timer);
    }
    assert.ok(result);
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    const view = serial.controller.current;
    assert.ok(view);
    assert.equal(view.verified, true);
    const compression = view.stats.find((f) => f.label === 'Compression');
    assert.match(compression?.value ?? '', /^\d+\.\d\dx \(deflate/, JSON.stringify(view.stats));
    assert.ok(seen.has('Window'), `no window among ${[...seen].join(', ')}`);
    assert.ok(window, 'the window never showed frames in flight');
    assert.ok(view.device.some((f) => f.label === 'Receive window'), JSON.stringify(view.device));
    assert.ok(readFileSync(join(dir, 'flash.bin')).subarray(0, bytes.length).equals(bytes));
  });
});
