import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { demoImage, isDemoImage } from '../../../src/core/demo/demoImage';
import { firmwareImage } from '../../../src/core/cloud/sandbox/seed/builders';
import { seededRandom } from '../../../src/core/cloud/sandbox/random';

describe('core/demo image', () => {
  it('is the same bytes for the same label, size and seed, and says it is a demo', () => {
    const a = demoImage('blink 1.4.2', 4096, 7);
    const b = demoImage('blink 1.4.2', 4096, 7);
    assert.equal(a.length, 4096);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, demoImage('blink 1.4.2', 4096, 8));
    assert.ok(isDemoImage(a));
    assert.match(Buffer.from(a.subarray(0, 40)).toString('latin1'), /^SANDBOX-FIRMWARE blink 1\.4\.2\n/);
  });

  it('tells a demo image from a program and from too few bytes', () => {
    assert.equal(isDemoImage(Uint8Array.from([0xe9, 0x03, 0x02, 0x20, ...new Array<number>(60).fill(0)])), false);
    assert.equal(isDemoImage(Buffer.from('SANDBOX-FIRM')), false);
    assert.equal(isDemoImage(new Uint8Array(0)), false);
    assert.ok(isDemoImage(Buffer.from('SANDBOX-FIRMWARE ')));
  });

  it('the sandbox seed images are demo images, byte for byte as before', () => {
    const image = firmwareImage(seededRandom(42), 'a1PlUg 1.0.0', 2048);
    assert.ok(isDemoImage(image));
    // Pinned: persisted sandboxes hold seed images made this way; their MD5 must not change.
    assert.equal(createHash('md5').update(image).digest('hex'), PINNED_MD5);
  });
});

const PINNED_MD5 = '413e35ed9a2816f5fe20b52cd55f7add';
