// Runs the benchmarks: builds the bundles, compiles the tests, then runs every <out>/test/bench/*.bench.js with
// node, one after the other, each printing its own report. Exits 1 when any benchmark fails.
//   node scripts/bench.mjs                     all benchmarks
//   node scripts/bench.mjs cloudLoad           only those whose file name contains one of the words
//   node scripts/bench.mjs --out-dir out-me    compile into another folder (when others use out/)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const outIndex = argv.indexOf('--out-dir');
const outDir = outIndex >= 0 ? argv[outIndex + 1] : 'out';
if (outIndex >= 0 && !outDir) {
  console.error('bench: --out-dir needs a folder');
  process.exit(2);
}
const filters = argv.filter((a, i) => !a.startsWith('--') && (outIndex < 0 || i !== outIndex + 1));

function step(title, cmd, args) {
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return r.status ?? 1;
}

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const compile = ['-p', 'tsconfig.test.json'];
if (outDir !== 'out') compile.push('--outDir', outDir, '--tsBuildInfoFile', join(outDir, '.tsbuildinfo'));
if (step('build bundles', process.execPath, [join(root, 'scripts', 'build.mjs')]) !== 0) process.exit(1);
// Type errors elsewhere still emit JavaScript; a benchmark that did not compile is reported missing below.
step('compile tests', process.execPath, [tsc, ...compile]);

const benchDir = join(root, outDir, 'test', 'bench');
const benches = existsSync(benchDir)
  ? readdirSync(benchDir)
      .filter((f) => f.endsWith('.bench.js'))
      .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
      .sort()
  : [];
if (benches.length === 0) {
  console.error(`bench: no benchmarks${filters.length ? ` matching ${filters.join(', ')}` : ''} in ${relative(root, benchDir)}`);
  process.exit(1);
}

const results = [];
for (const file of benches) {
  const started = performance.now();
  const code = step(`bench ${file.replace(/\.bench\.js$/, '')}`, process.execPath, [join(benchDir, file)]);
  results.push({ name: file.replace(/\.bench\.js$/, ''), code, seconds: (performance.now() - started) / 1000 });
}

console.log('\n=== summary');
for (const r of results) console.log(`${r.name.padEnd(24)} ${r.code === 0 ? 'ok    ' : 'FAILED'}  ${r.seconds.toFixed(1)} s`);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
