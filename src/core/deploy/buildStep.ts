// The optional first step of a deploy: build a PlatformIO environment and return the fresh image it wrote.
import { basename } from 'node:path';
import { buildFailure, runBuild, type RunBuildOptions } from '../platformio/build';
import { findArtifact } from '../platformio/artifact';
import { formatBytes } from '../../shared/units';
import type { StepReporting } from './events';
import { say } from '../sentences';

export type BuildPlan = Pick<RunBuildOptions, 'pio' | 'projectDir' | 'env' | 'processEnv' | 'platform' | 'buildDir' | 'killGraceMs' | 'onOutput'>;

/** Runs the build; resolves with the image's path, rejects with the build's failure (OtaError). */
export async function buildImage(plan: BuildPlan, reporting: StepReporting = {}): Promise<string> {
  reporting.onStep?.({ stage: 'build', state: 'started', message: say`Building environment "${plan.env}" of ${basename(plan.projectDir)}` });
  const result = await runBuild({ ...plan, signal: reporting.signal });
  if (!result.succeeded) throw buildFailure(result);
  const artifact = await findArtifact(result.projectDir, plan.env, {
    buildStartedAt: result.startedAt,
    buildDir: plan.buildDir,
    env: plan.processEnv,
  });
  reporting.onStep?.({ stage: 'build', state: 'done', message: say`Built ${artifact.path} (${formatBytes(artifact.size)})` });
  return artifact.path;
}
