// `ota flash --protocol stream` through run(), over a socat pty pair, against the C agent's host build (agent/):
// the protocol's own flags (from its cliOptions), --json with its details, resume and --no-resume.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { buildAgent, startStreamAgent, type StreamAgentProcess } from '../../sims/streamAgent';
import { assertOneLineError, cli, parseJsonOut, type Row } from './helpers';

/** Compressible, like code: short repeated phrases with counters in them. */
function codeLike(size: number): Buffer {
  let text = '';
  for (let i = 0; text.length < size; i++) text += `static int handler_${i % 97}(int x) { return x * ${i % 13} + ${i}; }\n`;
  return Buffer.from(text.slice(0, size), 'latin1');
}

describe('cli flash --protocol stream to the C agent', function () {
  this.timeout(60_000);
  let pair: PtyPair;
  let dir: string;
  let agent: StreamAgentProcess;

  before(() => buildAgent());
  beforeEach(async () => {
    pair = await openPtyPair();
    dir = mkdtempSync(join(tmpdir(), 'ota-cli-stream-'));
    agent = startStreamAgent({ port: pair.b, out: join(dir, 'flash.bin'), writeUsPerKib: 2000 });
    await agent.waitFor('listening');
  });
  afterEach(async () => {
    await agent.stop();
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('flashes with its flags; --json carries verified and the stream details; a second run only re-checks, --no-resume starts over', async () => {
    const image = codeLike(100_000);
    const file = join(dir, 'app.bin');
    writeFileSync(file, image);
    const sha = createHash('sha256').update(image).digest('hex');
    const args = ['flash', file, '--port', pair.a, '--protocol', 'stream', '--compression', 'on', '--window-frames', '4', '--window-bits', '10', '--json'];
    const first = parseJsonOut<Row>(await cli(args, {}));
    assert.deepEqual([first.protocol, first.bytes, first.result, first.verified], ['stream', 100_000, 'ok', true]);
    assert.deepEqual([first.compressed, first.windowFrames, first.resumedFrom, first.agentSha256], [true, 4, 0, sha]);
    assert.ok(Number(first.compressionRatio) > 3, String(first.compressionRatio));
    assert.ok(readFileSync(join(dir, 'flash.bin')).subarray(0, image.length).equals(image));

    const again = parseJsonOut<Row>(await cli(args, {}));
    assert.deepEqual([again.result, again.verified, again.resumedFrom, again.framesSent], ['ok', true, 100_000, 0]);
    const over = parseJsonOut<Row>(await cli([...args, '--no-resume'], {}));
    assert.deepEqual([over.result, over.verified, over.resumedFrom], ['ok', true, 0]);
    assert.ok(Number(over.framesSent) > 0);
  });

  it('names the CLI flag in a bad value, before opening the port', async () => {
    const file = join(dir, 'app.bin');
    writeFileSync(file, codeLike(100));
    assertOneLineError(await cli(['flash', file, '--port', pair.a, '--protocol', 'stream', '--compression', 'zip'], {}), 2, /--compression must be one of auto, on, off/);
    assertOneLineError(await cli(['flash', file, '--port', pair.a, '--protocol', 'stream', '--window-bits', '15'], {}), 2, /--window-bits must be a whole number from 9 to 12/);
    assertOneLineError(await cli(['flash', file, '--port', pair.a, '--protocol', 'ymodem', '--compression', 'on'], {}), 2, /--compression applies to --protocol stream only/);
  });
});
