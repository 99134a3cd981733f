// The stream protocol end to end: our sender (through FlashSession, as the CLI and the extension run it) against
// the real C agent (agent/, POSIX host build, flash in a file) over pseudo-terminals, directly or through the
// fault relay:
//   session ── host.a =socat= host.b ── [relay] ── dev.a =socat= dev.b ── ota-agent-host
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sha256Hex } from '../../../src/core/serial/checksums';
import { streamProtocol } from '../../../src/core/serial/protocols/stream';
import { FlashSession } from '../../../src/core/serial/session';
import { type FlashResult } from '../../../src/core/serial/sessionTypes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { Relay, type RelayOptions } from '../../sims/relay';
import { type AgentEvent, buildAgent, startStreamAgent, type StreamAgentOptions, type StreamAgentProcess } from '../../sims/streamAgent';
import { startLyingAgent } from '../../sims/lyingStreamAgent';

/** Real machine code: a slice of the node executable running this test (compresses about 2.5x, as firmware does). */
function realImage(size: number, from = 1 << 20): Buffer {
  const fd = openSync(process.execPath, 'r');
  try {
    const out = Buffer.alloc(size);
    const n = readSync(fd, out, 0, size, from);
    assert.equal(n, size, 'the node executable is too small for this slice');
    return out;
  } finally {
    closeSync(fd);
  }
}

const FAST = { ackTimeoutMs: 400, maxRetries: 3, startTimeoutMs: 5000 };

describe('stream protocol against the C agent over ptys', function () {
  this.timeout(180_000);
  let host: PtyPair;
  let dev: PtyPair;
  let relay: Relay | null = null;
  let agent: StreamAgentProcess | null = null;
  let dir: string;
  let flashFile: string;

  before(() => buildAgent());
  beforeEach(async () => {
    resultsSeen = 0;
    [host, dev] = await Promise.all([openPtyPair(), openPtyPair()]);
    dir = mkdtempSync(path.join(tmpdir(), 'ota-stream-'));
    flashFile = path.join(dir, 'flash.bin');
  });
  afterEach(async () => {
    await agent?.stop();
    await relay?.close();
    await Promise.all([host.close(), dev.close()]);
    agent = relay = null;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the agent on dev.b (or host.b with `direct`), waits until it listens. */
  async function startAgent(o: Partial<StreamAgentOptions> = {}, direct = false): Promise<StreamAgentProcess> {
    const a = startStreamAgent({ port: direct ? host.b : dev.b, out: flashFile, ...o });
    agent = a;
    await a.waitFor('listening');
    return a;
  }

  async function openRelay(options: RelayOptions): Promise<Relay> {
    await relay?.close().catch(() => undefined);
    relay = await Relay.open(host.b, dev.a, options);
    return relay;
  }

  function flash(image: Uint8Array, options: Record<string, unknown> = {}, onProgress?: (done: number, s: FlashSession) => void): Promise<FlashResult> {
    const session = new FlashSession({ protocol: 'stream', image, imageName: 'fw.bin', port: host.a, options, progressIntervalMs: 0 });
    if (onProgress) session.onEvent((e) => e.type === 'progress' && onProgress(e.bytesDone, session));
    return session.start();
  }

  function assertFlashed(image: Uint8Array, r: FlashResult, what: string): void {
    assert.equal(r.result, 'ok', `${what}: ${r.message}`);
    assert.equal(r.verified, true, `${what}: not verified`);
    assert.equal(r.details.agentSha256, sha256Hex(image), `${what}: the agent's hash`);
    const flashed = readFileSync(flashFile).subarray(0, image.length);
    assert.ok(flashed.equals(image), `${what}: the flash differs from the image`);
  }

  /** The agent's result event of the session that just ended (it prints it right after sending RESULT). */
  async function lastResult(a: StreamAgentProcess): Promise<AgentEvent> {
    const results = (): AgentEvent[] => a.events.filter((e) => e.event === 'result');
    for (let i = 0; i < 250 && results().length <= resultsSeen; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(results().length > resultsSeen, `the agent printed no result: ${a.stderr()}`);
    resultsSeen = results().length;
    return results()[resultsSeen - 1];
  }
  let resultsSeen = 0;

  it('random and real images from 1 B to 2 MiB arrive byte-identical, each verified by the agent\'s SHA-256', async () => {
    await startAgent({ writeUsPerKib: 0 }, true);
    const images: [string, Buffer, boolean][] = [
      ['1 B', randomBytes(1), false],
      ['1023 B', randomBytes(1023), false],
      ['1025 B', randomBytes(1025), false],
      ['64 KiB + 7', randomBytes(65_543), false],
      ['300 KiB real', realImage(300 * 1024), true],
      ['2 MiB random', randomBytes(2 * 1024 * 1024), false],
      ['2 MiB real', realImage(2 * 1024 * 1024), true],
    ];
    for (const [what, image, compressible] of images) {
      const stats: string[] = [];
      const session = new FlashSession({ protocol: 'stream', image, imageName: 'fw.bin', port: host.a, progressIntervalMs: 0 });
      session.onEvent((e) => e.type === 'stats' && stats.push(e.facts.map((f) => `${f.label}: ${f.value}`).join('; ')));
      const r = await session.start();
      assertFlashed(image, r, what);
      assert.equal(r.details.compressed, compressible, `${what}: compression chosen as expected (ratio ${JSON.stringify(r.details.compressionRatio)})`);
      assert.equal(r.details.resumedFrom, 0);
      assert.equal((await lastResult(agent!)).status, 0);
      // What the panel shows while it runs: frames in flight against the window, and the compression ratio.
      assert.ok(stats.some((t) => /Window: [1-8] of 8 frames in flight/.test(t)), `${what}: ${stats.join(' | ')}`);
      assert.ok(stats.every((t) => (compressible ? /Compression: \d+\.\d\dx \(deflate, window 4096 B\)/ : /Compression: off/).test(t)), `${what}: ${stats.join(' | ')}`);
    }
  });

  it('corruption, drops and stalls both ways are recovered by retransmission (sanitized agent)', async () => {
    await startAgent({ writeUsPerKib: 2000, sanitized: true });
    const faults = { corruptRate: 3e-5, dropRate: 3e-5, stallRate: 0.01, stallMs: 30, skipBytes: 200 };
    await openRelay({ baudRate: 921_600, aToB: faults, bToA: { corruptRate: 1e-3, dropRate: 1e-3 }, seed: 7 });
    for (const [what, image] of [['256 KiB random', randomBytes(256 * 1024)], ['512 KiB real, compressed', realImage(512 * 1024, 3 << 20)]] as const) {
      const r = await flash(image, { ackTimeoutMs: 1000 });
      assertFlashed(image, r, what);
      const ev = await lastResult(agent!);
      assert.ok(Number(r.details.framesResent) > 0, `${what}: nothing was sent again (relay ${JSON.stringify(relay!.stats)})`);
      assert.ok(Number(ev.crcErrors) + Number(ev.naks) > 0, `${what}: the agent saw no damage: ${JSON.stringify(ev)}`);
    }
    const stats = relay!.stats;
    assert.ok(stats.aToB.corrupted > 0 && stats.aToB.dropped > 0 && stats.bToA.dropped + stats.bToA.corrupted > 0, JSON.stringify(stats));
  });

  it('a cut link resumes from the committed offset; at most one window is sent twice', async () => {
    const a = await startAgent({ writeUsPerKib: 2000 });
    const image = randomBytes(200 * 1024);
    await openRelay({ baudRate: 921_600, aToB: { cutAfterBytes: 90_000 } });
    const first = await flash(image, { ...FAST, compression: 'off' });
    assert.equal(first.result, 'failed');
    assert.equal(first.verified, false);
    assert.match(first.message, /run again to resume/);
    await openRelay({ baudRate: 921_600 });
    const second = await flash(image, { ...FAST, compression: 'off' });
    assertFlashed(image, second, 'after the cut');
    const listening = a.events[0];
    const resumed = Number(second.details.resumedFrom);
    const window = Number(second.details.windowFrames) * Number(second.details.frameBytes) + 2 * Number(listening.pageBytes);
    const twice = Number(first.details.sentUpTo) - resumed;
    assert.ok(resumed > 0 && resumed < 90_000, `resumed from ${resumed}`);
    assert.ok(twice >= 0 && twice <= window, `${twice} bytes sent twice; one window (frames in flight + the agent's two page buffers) is ${window}`);
  });

  it('an agent reset mid-transfer (killed, started again) resumes from what it committed, compressed or not', async () => {
    for (const [what, image, compression] of [['raw', randomBytes(600 * 1024), 'off'], ['compressed', realImage(1024 * 1024), 'on']] as const) {
      rmSync(flashFile, { force: true });
      rmSync(`${flashFile}.state`, { force: true });
      // Erase blocks of one page: a page cut while programming is then all that is written again.
      let a = await startAgent({ writeUsPerKib: 2000, pageBytes: 1024, eraseBytes: 1024 }, true);
      let killed = false;
      const first = await flash(image, { ...FAST, compression }, (done) => {
        if (!killed && done >= image.length * 0.4) {
          killed = true;
          void a.stop(true);
        }
      });
      assert.ok(killed, `${what}: the agent was not reset`);
      assert.equal(first.result, 'failed', `${what}: ${first.message}`);
      a = await startAgent({ writeUsPerKib: 2000, pageBytes: 1024, eraseBytes: 1024 }, true);
      const second = await flash(image, { ...FAST, compression });
      assertFlashed(image, second, `${what}, after the reset`);
      const resumed = Number(second.details.resumedFrom);
      assert.ok(resumed >= image.length * 0.3, `${what}: resumed from ${resumed} only`);
      if (compression === 'off') {
        const window = Number(second.details.windowFrames) * Number(second.details.frameBytes) + 2 * 1024;
        const twice = Number(first.details.sentUpTo) - resumed;
        assert.ok(twice >= 0 && twice <= window, `${what}: ${twice} bytes sent twice; one window is ${window}`);
      } else {
        assert.equal(second.details.compressed, true);
      }
      await a.stop();
      agent = null;
    }
  });

  it('cancelling mid-transfer ends cancelled with the port free; the next run resumes', async () => {
    await startAgent({ writeUsPerKib: 2000 }, true);
    const image = randomBytes(512 * 1024);
    const first = await flash(image, { compression: 'off' }, (done, s) => {
      if (done >= image.length / 3) s.cancel();
    });
    assert.equal(first.result, 'cancelled');
    const second = await flash(image, { compression: 'off' });
    assertFlashed(image, second, 'after cancelling');
    assert.ok(Number(second.details.resumedFrom) > 0);
  });

  it('a flash that reads back wrong is never reported as success', async () => {
    await startAgent({ flipBitAt: 5000 }, true);
    const image = randomBytes(20_000);
    const r = await flash(image);
    assert.equal(r.result, 'failed');
    assert.equal(r.verified, false);
    assert.equal(r.errorCode, 'hash-mismatch');
    assert.match(r.message, /differs from the image/);
    assert.equal((await lastResult(agent!)).status, 1);
    assert.ok(!agent!.events.some((e) => e.event === 'bootable'), 'the image was marked bootable');
  });

  it('an agent that claims success with another hash is not believed', async () => {
    const liar = await startLyingAgent(host.b);
    try {
      const image = randomBytes(5000);
      const r = await flash(image, FAST);
      assert.equal(r.result, 'failed', r.message);
      assert.equal(r.verified, false);
      assert.equal(r.errorCode, 'hash-mismatch');
      assert.ok(liar.bytesReceived() >= image.length);
    } finally {
      await liar.close();
    }
  });

  it('refuses bad options before opening the port, naming the option', () => {
    const one = [{ address: null, data: new Uint8Array(4), name: 'x' }];
    assert.throws(() => streamProtocol.checkOptions({ compression: 'zip' }, new Uint8Array(4), one), /compression must be one of auto, on, off/);
    assert.throws(() => streamProtocol.checkOptions({ windowBits: 15 }, new Uint8Array(4), one), /windowBits must be a whole number from 9 to 12/);
    assert.throws(() => streamProtocol.checkOptions({ windowSize: 3 }, new Uint8Array(4), one), /no option windowSize/);
    const two = [...one, { address: 0x1000, data: new Uint8Array(4), name: 'y' }];
    assert.throws(() => streamProtocol.checkOptions({}, new Uint8Array(8), two), /sends one image/);
  });
});
