// The product version, injected at bundle time by esbuild (`define`); when run from compiled sources (out/...),
// read from the nearest package.json above this file.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

declare const __OTA_VERSION__: string | undefined;

export function productVersion(): string {
  if (typeof __OTA_VERSION__ === 'string') return __OTA_VERSION__;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (dirname(dir) === dir) return '0.0.0';
  }
}
