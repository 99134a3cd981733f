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
// A reader that went away (`ota task list J | head`) is no failure of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, controller.signal).then(
  (code) => {
    process.exitCode = code;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  },
  (e: unknown) => {
    process.stderr.write(`ota: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
