// `ota deploy [FILE]`: build (unless FILE or --firmware-id is given), upload, [verify], create the upgrade job and
// [follow it with the rollout guard], in one go. Everything checkable is checked before the build; when a later step
// fails or is cancelled, the one stderr line says exactly what exists in the cloud now.
import {
  DeployError,
  deploy,
  describeRollout,
  firmwareFileSize,
  type BuildPlan,
  type DeployPlan,
  type VerifyPlan,
} from '../../core/deploy';
import type { CommandContext, CommandSpec } from '../support/command';
import { UsageError } from '../support/io';
import { writeJson } from '../support/json';
import { checked, flag, listOption, nonEmptyOption, requiredOption, usedOptions } from '../support/options';
import { withAliyun } from '../support/connect';
import { POLL_OPTIONS, StepReporter, pollOptions, rolloutExit, rolloutJson } from '../support/deployReport';
import { JOB_OPTIONS, jobRequest } from '../support/jobOptions';
import { BUILD_OPTIONS, BuildOutput, projectVersion, resolvePioProject } from '../support/pioProject';
import { UPLOAD_OPTIONS, uploadRequest, verifyRequest } from '../support/uploadOptions';

/** Options that describe a new upload, meaningless for firmware that exists already. */
const NEW_FIRMWARE_OPTIONS = ['product-key', 'version', 'name', 'module', 'desc', 'type', 'no-verify'];

interface Source {
  upload: DeployPlan['upload'];
  verify: VerifyPlan | undefined;
  build?: BuildPlan;
  output?: BuildOutput;
}

async function source(ctx: CommandContext, srcVersions: string[]): Promise<Source> {
  if (ctx.args.length > 1) throw new UsageError(`unexpected argument '${ctx.args[1]}' for 'ota deploy'.`);
  const file = ctx.args[0]?.trim() || undefined;
  const firmwareId = nonEmptyOption(ctx, 'firmware-id');
  if (file && firmwareId) throw new UsageError('give FILE or --firmware-id, not both.');
  const buildOptions = usedOptions(ctx, Object.keys(BUILD_OPTIONS));
  if ((file || firmwareId) && buildOptions.length) {
    throw new UsageError(`${buildOptions.join(' and ')} appl${buildOptions.length > 1 ? 'y' : 'ies'} only when deploy builds the image (no FILE, no --firmware-id).`);
  }
  if (firmwareId) {
    const extra = usedOptions(ctx, NEW_FIRMWARE_OPTIONS);
    if (extra.length) throw new UsageError(`${extra.join(', ')} describe${extra.length > 1 ? '' : 's'} a new upload; --firmware-id deploys firmware that exists.`);
    return { upload: { firmwareId }, verify: verifyRequest(ctx) };
  }
  requiredOption(ctx, 'product-key', '--product-key PK');
  if (file) {
    const { input, verify } = await uploadRequest(ctx, requiredOption(ctx, 'version', '--version V'), srcVersions);
    await checked(() => firmwareFileSize(file));
    return { upload: { ...input, file }, verify };
  }
  const project = await resolvePioProject(ctx);
  let version = nonEmptyOption(ctx, 'version');
  if (version === undefined) {
    const found = await projectVersion(ctx, project);
    version = found.version;
    ctx.io.stderr.write(`Version ${version} (from ${found.from})\n`);
  }
  const { input, verify } = await uploadRequest(ctx, version, srcVersions);
  const output = new BuildOutput(ctx, project.projectDir);
  return { upload: input, verify, build: output.plan(project), output };
}

async function run(ctx: CommandContext): Promise<number> {
  const srcVersions = listOption(ctx, 'src-version');
  const job = await jobRequest(ctx, srcVersions);
  if (!nonEmptyOption(ctx, 'firmware-id') && !flag(ctx, 'no-verify') && listOption(ctx, 'verify-devices').length === 0) {
    throw new UsageError('an upgrade job needs verified firmware: name 1-10 devices to verify it on with --verify-devices a,b, or upload it with --no-verify.');
  }
  const { upload, verify, build, output } = await source(ctx, srcVersions);
  const report = new StepReporter(ctx);
  const result = await withAliyun(ctx, (session) =>
    deploy(
      session.client,
      { build, upload, verify, job: job.plan, guard: job.guard, follow: job.follow },
      { ...pollOptions(ctx, session), ...report.follow(), signal: ctx.signal, onStep: report.onStep, onProgress: report.onProgress },
    ),
  ).catch((e: unknown) => {
    report.done();
    if (e instanceof DeployError && e.stage === 'build' && !ctx.signal.aborted) output?.printErrors();
    throw e;
  });
  report.done();
  if (flag(ctx, 'json')) {
    const { firmwareId, version, productKey, uploaded, builtImage, verifyJobId, jobId } = result;
    writeJson(ctx.io, { firmwareId, version, productKey, uploaded, builtImage, verifyJobId, jobId, rollout: rolloutJson(result.rollout) });
  } else {
    const made = `Firmware ${result.version} ${result.uploaded ? 'uploaded as' : 'is'} ID ${result.firmwareId}; job ${result.jobId ?? '-'} created.\n`;
    const rollout = result.rollout?.outcome === 'completed' ? `${describeRollout(result.rollout)}.\n` : '';
    ctx.io.stdout.write(made + rollout);
  }
  return rolloutExit(ctx, result.rollout);
}

export const deployCommand: CommandSpec = {
  words: ['deploy'],
  positionals: '[FILE]',
  summary: 'Build (unless FILE or --firmware-id is given), upload, create the upgrade job and optionally follow it.',
  options: {
    ...BUILD_OPTIONS,
    'firmware-id': { type: 'string', usage: '--firmware-id ID', description: 'Deploy firmware already uploaded (e.g. after a deploy stopped midway).' },
    ...UPLOAD_OPTIONS,
    version: {
      ...UPLOAD_OPTIONS.version,
      description: `${UPLOAD_OPTIONS.version.description} When building, default: -D FIRMWARE_VERSION in build_flags, else git describe.`,
    },
    ...JOB_OPTIONS,
    'src-version': {
      type: 'string',
      multiple: true,
      usage: '--src-version V',
      description: 'Only upgrade devices on this version (repeatable); with --type delta, exactly one: the version the delta applies to.',
    },
    ...POLL_OPTIONS,
  },
  run,
};
