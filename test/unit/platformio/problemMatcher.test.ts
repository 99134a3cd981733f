// The problem matcher that package.json contributes uses the very expression the core parses diagnostics with.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPILER_DIAGNOSTIC_REGEXP } from '../../../src/core/platformio';

interface Manifest {
  contributes: { problemMatchers: { name: string; pattern: { regexp: string } }[] };
}

describe('package.json problem matcher', () => {
  it('uses the core compiler-diagnostic expression', () => {
    const root = join(__dirname, '..', '..', '..', '..');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
    const matcher = manifest.contributes.problemMatchers.find((m) => m.name === 'ota-gcc');
    assert.ok(matcher);
    assert.equal(matcher.pattern.regexp, COMPILER_DIAGNOSTIC_REGEXP);
    const m = new RegExp(matcher.pattern.regexp).exec("src/main.cpp:12:5: error: 'foo' was not declared in this scope");
    assert.deepEqual(m?.slice(1), ['src/main.cpp', '12', '5', 'error', "'foo' was not declared in this scope"]);
  });
});
