// The agent's inflater (agent/src/ota_inflate.c, built with AddressSanitizer and UBSan) fuzzed against zlib:
// streams Node's zlib makes with windowBits 9..12, fed in random pieces, must come out byte-identical; damaged
// streams (flipped bits, cut short) must be accepted exactly when zlib accepts them, with zlib's output, and never
// crash or read out of bounds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { mulberry32 } from '../../../src/core/prng';
import { buildAgent, INFLATE_TOOL_ASAN } from '../../sims/streamAgent';

interface ToolRun {
  status: number | null;
  out: Buffer;
  err: string;
  code: number | null;
}

function inflateWithAgent(stream: Buffer, seed: number, maxPiece: number): ToolRun {
  const r = spawnSync(INFLATE_TOOL_ASAN, [String(seed), String(maxPiece)], { input: stream, maxBuffer: 1 << 26 });
  const err = r.stderr.toString();
  const m = /inflate error (-\d+)/.exec(err);
  return { status: r.status, out: r.stdout, err, code: m ? Number(m[1]) : null };
}

function zlibInflate(stream: Buffer): Buffer | null {
  try {
    return inflateRawSync(stream, { windowBits: 15 });
  } catch {
    return null;
  }
}

/** Data of several kinds: noise, text, runs, firmware-like mixes, with sizes from 0 up to 300 KiB. */
function sample(random: () => number, kind: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  const words = ['ldr', 'str', 'push', 'pop', 'bl', 'HAL_GPIO_WritePin', 'uart_tx', '\0\0\0\0', '\xff\xff', 'counter'];
  let i = 0;
  while (i < size) {
    switch (kind % 4) {
      case 0:
        out[i++] = Math.floor(random() * 256);
        break;
      case 1: {
        const w = words[Math.floor(random() * words.length)];
        i += out.write(w + ' ', i, 'latin1');
        break;
      }
      case 2: {
        const run = 1 + Math.floor(random() * 300);
        out.fill(Math.floor(random() * 4), i, Math.min(size, i + run));
        i += run;
        break;
      }
      default: {
        // Repeats from up to 5 KiB back (beyond a 4 KiB window now and then), with noise between.
        if (i > 64 && random() < 0.6) {
          const back = 1 + Math.floor(random() * Math.min(i, 5000));
          const len = Math.min(size - i, 3 + Math.floor(random() * 200));
          for (let k = 0; k < len; k++, i++) out[i] = out[i - back];
        } else {
          out[i++] = Math.floor(random() * 256);
        }
      }
    }
  }
  return out;
}

describe('stream agent inflater, fuzzed against zlib', function () {
  this.timeout(120_000);
  before(() => buildAgent());

  it('inflates what zlib deflates (windowBits 9..12, levels 1..9, every strategy) fed in random pieces', () => {
    const random = mulberry32(12);
    const strategies = [constants.Z_DEFAULT_STRATEGY, constants.Z_FILTERED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FIXED];
    const sizes = [0, 1, 2, 257, 4095, 4096, 4097, 65_535, 65_536, 70_001, 300_000];
    let cases = 0;
    for (let t = 0; t < 60; t++) {
      const data = sample(random, t, sizes[t % sizes.length]);
      const windowBits = 9 + (t % 4);
      const level = 1 + ((t * 7) % 9);
      const strategy = strategies[t % strategies.length];
      const stream = deflateRawSync(data, { windowBits, level, strategy, memLevel: 1 + (t % 9) });
      const maxPiece = [1, 3, 64, 1024, 5000][t % 5];
      const r = inflateWithAgent(stream, t, maxPiece);
      assert.equal(r.status, 0, `case ${t} (${data.length} B, windowBits ${windowBits}, level ${level}, strategy ${strategy}): ${r.err}`);
      assert.ok(r.out.equals(data), `case ${t}: the output differs from the input (${r.out.length} of ${data.length} bytes)`);
      cases++;
    }
    assert.equal(cases, 60);
  });

  it('handles damaged streams as zlib does: same output when zlib accepts them, an error when it refuses them', () => {
    const random = mulberry32(99);
    const seen = { accepted: 0, refused: 0, distance: 0, trailing: 0 };
    for (let t = 0; t < 250; t++) {
      const data = sample(random, t, 200 + Math.floor(random() * 20_000));
      const stream = Buffer.from(deflateRawSync(data, { windowBits: 9 + (t % 4), level: 1 + (t % 9), strategy: t % 7 === 0 ? constants.Z_FIXED : 0 }));
      // Flip 1..4 bits, and cut the end now and then.
      const flips = 1 + Math.floor(random() * 4);
      for (let k = 0; k < flips; k++) {
        const at = Math.floor(random() * stream.length);
        stream[at] ^= 1 << Math.floor(random() * 8);
      }
      const damaged = t % 5 === 0 ? stream.subarray(0, Math.floor(random() * stream.length)) : stream;
      const ours = inflateWithAgent(damaged, t, 1 + (t % 97));
      const theirs = zlibInflate(damaged);
      const what = `case ${t} (${damaged.length} B)`;
      assert.ok(ours.status === 0 || ours.status === 3 || ours.status === 4, `${what}: the inflater crashed or tripped a sanitizer (exit ${ours.status}): ${ours.err}`);
      if (ours.status === 0) {
        assert.ok(theirs !== null, `${what}: accepted a stream zlib refuses`);
        assert.ok(ours.out.equals(theirs), `${what}: accepted, but the output differs from zlib's`);
        seen.accepted++;
      } else if (ours.code === -5) {
        // A match further back than 4 KiB: zlib (32 KiB window) may accept it; the agent must refuse it.
        seen.distance++;
      } else if (ours.code === -6) {
        // The damaged stream ended early, with bytes after it: zlib stops there too and returns the same output.
        assert.ok(theirs !== null && ours.out.equals(theirs), `${what}: data after the last block, and zlib disagrees about what came before`);
        seen.trailing++;
      } else {
        assert.equal(theirs, null, `${what}: refused (${ours.err.trim()}) a stream zlib accepts`);
        seen.refused++;
      }
    }
    assert.ok(seen.refused > 30 && seen.accepted + seen.trailing + seen.distance > 0, `too few of each kind: ${JSON.stringify(seen)}`);
  });
});
