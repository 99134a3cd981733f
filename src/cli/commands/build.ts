// `ota build [--env E] [--project DIR]`: builds one PlatformIO environment, streaming pio's output to stderr, and
// prints the fresh image's path (with --json: {path, size, env, projectDir}). A failed build ends with its compiler
// errors as `file:line:col: error: message` and a non-zero exit.
import { stat } from 'node:fs/promises';
import { buildImage } from '../../core/deploy';
import type { CommandContext, CommandSpec } from '../support/command';
import { writeJson } from '../support/json';
import { flag, positionals } from '../support/options';
import { StepReporter } from '../support/deployReport';
import { BUILD_OPTIONS, BuildOutput, resolvePioProject } from '../support/pioProject';

async function build(ctx: CommandContext): Promise<number> {
  positionals(ctx, []);
  const project = await resolvePioProject(ctx);
  const output = new BuildOutput(ctx, project.projectDir);
  const report = new StepReporter(ctx);
  let path: string;
  try {
    path = await buildImage(output.plan(project), { signal: ctx.signal, onStep: report.onStep });
  } catch (e) {
    if (!ctx.signal.aborted) output.printErrors();
    throw e;
  }
  const { size } = await stat(path);
  if (flag(ctx, 'json')) writeJson(ctx.io, { path, size, env: project.environment.name, projectDir: project.projectDir });
  else ctx.io.stdout.write(`${path}\n`);
  return 0;
}

export const buildCommand: CommandSpec = {
  words: ['build'],
  summary: "Build a PlatformIO environment (pio from $OTA_PIO, the PlatformIO IDE's copy or PATH) and print the image's path.",
  options: BUILD_OPTIONS,
  run: build,
};
