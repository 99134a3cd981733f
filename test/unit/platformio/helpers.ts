// Shared by the PlatformIO tests: the fake pio, copies of the fixture projects, temporary directories.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function findRepoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'test', 'fixtures', 'pio', 'fake-pio'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`test/fixtures/pio/fake-pio not found above ${__dirname}`);
  }
}

export const REPO_ROOT = findRepoRoot();
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'pio');
export const FAKE_PIO = path.join(FIXTURES, process.platform === 'win32' ? 'fake-pio.cmd' : 'fake-pio');

/** Temporary directories, removed by cleanup(). */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix = 'ota-pio-'): string {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    this.dirs.push(dir);
    return dir;
  }

  /** A fresh copy of test/fixtures/pio/NAME (without build output). */
  project(name: string): string {
    const dir = path.join(this.make(), name);
    fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true, filter: (src) => path.basename(src) !== '.pio' });
    return dir;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `file` (creating its directory), executable unless told otherwise. */
export function writeFile(file: string, content: string, mode = 0o755): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
  return file;
}

/** process.env plus the fake pio's switches. */
export function fakePioEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('FAKE_PIO_') || key.startsWith('PLATFORMIO_')) delete env[key];
  return { ...env, ...extra };
}
