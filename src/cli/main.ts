// The `ota` command-line tool: the same core as the extension, for CI scripts and terminals. SIGINT and SIGTERM
// cancel the running command (a foreground sandbox stops and saves its state); a second one exits at once.
import { EXIT_CANCELLED, run } from './run';

const controller = new AbortController();
const onSignal = (): void => {
  if (controller.signal.aborted) process.exit(EXIT_CANCELLED);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/**
 * A reader that went away (`ota ... 2>&1 | head -1`) is no failure of ours, and must not stop the work half-way
 * (an upload, a sandbox that must save and unlock its folder): what is written after that is dropped.
 */
function outlasting(stream: NodeJS.WriteStream): { write(text: string): boolean; isTTY: boolean } {
  let gone = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || e.code === 'ECONNRESET') gone = true;
    else throw e;
  });
  return {
    write(text: string): boolean {
      if (gone || stream.destroyed) return true;
      try {
        return stream.write(text);
      } catch {
        gone = true;
        return true;
      }
    },
    get isTTY() {
      return stream.isTTY;
    },
  };
}

const stdout = outlasting(process.stdout);
const stderr = outlasting(process.stderr);

run(process.argv.slice(2), { stdout, stderr, env: process.env }, controller.signal).then(
  (code) => {
    process.exitCode = code;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  },
  (e: unknown) => {
    stderr.write(`ota: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
