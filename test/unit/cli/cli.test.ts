// The CLI front end: version, help and usage errors, through run() and through the built bundle.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../src/cli/run';
import type { CliIO } from '../../../src/cli/support/io';

const root = join(__dirname, '..', '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; bin: { ota: string } };

function captureIO(): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: {},
    out: () => out,
    err: () => err,
  };
}

describe('cli', () => {
  it('prints the package version with --version', async () => {
    const io = captureIO();
    assert.equal(await run(['--version'], io), 0);
    assert.equal(io.out(), `${pkg.version}\n`);
  });

  it('prints usage with --help and exits 0', async () => {
    const io = captureIO();
    assert.equal(await run(['--help'], io), 0);
    assert.match(io.out(), /^ota \d+\.\d+\.\d+: /);
    assert.match(io.out(), /Usage: ota <command> \[options\]/);
    assert.equal(io.err(), '');
  });

  it('rejects an unknown command with one line on stderr and exit code 2', async () => {
    const io = captureIO();
    assert.equal(await run(['frobnicate', '--now'], io), 2);
    assert.equal(io.out(), '');
    assert.match(io.err(), /^ota: unknown command 'frobnicate'\. Run 'ota --help' to see the commands\.\n$/);
  });

  it('is built as an executable bundle named by package.json bin', () => {
    const bundle = join(root, pkg.bin.ota);
    assert.ok(existsSync(bundle), `${bundle} is missing: run 'npm run build' first`);
    const r = spawnSync(process.execPath, [bundle, '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${pkg.version}\n`);
    assert.match(readFileSync(bundle, 'utf8'), /^#!\/usr\/bin\/env node/);
  });
});
