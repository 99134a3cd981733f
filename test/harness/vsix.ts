// Where `npm run package` leaves the .vsix.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './codeServer';

export function vsixPath(): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const file = join(repoRoot, `${pkg.name}-${pkg.version}.vsix`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run 'npm run package' first`);
  return file;
}
