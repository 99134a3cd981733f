// PlatformIO support for the extension and the CLI: find pio, the projects and their environments, build one,
// check its image, work out the firmware version.
export * from './artifact';
export * from './build';
export * from './diagnostics';
export * from './environments';
export * from './findPio';
export * from './projectConfig';
export * from './projects';
export * from './version';
export { LineSplitter, killProcessTree, runCommand, runProcess, type CommandResult, type ProcessOutcome, type RunProcessOptions } from './process';
export * from './espImages';
