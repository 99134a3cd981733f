// The one byte and duration formatter of the product (tree, deploy progress, flash panel, CLI).
import assert from 'node:assert/strict';
import { formatBytes, formatDuration } from '../../../src/shared/units';

describe('shared/units', () => {
  it('writes sizes in binary units with one decimal (two for GiB)', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(70_000), '68.4 KiB');
    assert.equal(formatBytes(1_572_864), '1.5 MiB');
    assert.equal(formatBytes(1.25 * 1024 ** 3), '1.25 GiB');
  });

  it('writes durations in s, min and h, and a dash when unknown', () => {
    assert.equal(formatDuration(42.4), '42 s');
    assert.equal(formatDuration(185), '3 min 05 s');
    assert.equal(formatDuration(3720), '1 h 02 min');
    assert.equal(formatDuration(null), '—');
    assert.equal(formatDuration(Infinity), '—');
  });
});
