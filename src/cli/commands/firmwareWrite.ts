// `ota firmware upload FILE ...` (GenerateOTAUploadURL, OSS upload with byte progress, CreateOTAFirmware, optional
// verification) and `ota firmware delete ID` (refused while one of its jobs runs).
import { deleteFirmware, firmwareFileSize, uploadFirmware } from '../../core/deploy';
import type { CommandContext, CommandSpec } from '../support/command';
import { writeJson } from '../support/json';
import { UsageError } from '../support/io';
import { checked, flag, listOption, nonEmptyOption, positionals, requiredOption } from '../support/options';
import { withAliyun } from '../support/connect';
import { POLL_OPTIONS, StepReporter, pollOptions } from '../support/deployReport';
import { SRC_VERSION_UPLOAD, UPLOAD_OPTIONS, uploadRequest } from '../support/uploadOptions';

async function upload(ctx: CommandContext): Promise<number> {
  const [file] = positionals(ctx, ['FILE']);
  const version = requiredOption(ctx, 'version', '--version V');
  requiredOption(ctx, 'product-key', '--product-key PK');
  const srcVersions = listOption(ctx, 'src-version');
  if (srcVersions.length > 1) throw new UsageError('--src-version takes one version here (the one a delta applies to).');
  if (srcVersions.length === 1 && nonEmptyOption(ctx, 'type') !== 'delta') throw new UsageError('--src-version applies to --type delta only.');
  const { input, verify } = await uploadRequest(ctx, version, srcVersions);
  await checked(() => firmwareFileSize(file));
  const report = new StepReporter(ctx);
  const uploaded = await withAliyun(ctx, (session) =>
    uploadFirmware(session.client, { ...input, file }, { ...pollOptions(ctx, session), signal: ctx.signal, verify, onStep: report.onStep, onProgress: report.onProgress }),
  ).finally(() => report.done());
  if (flag(ctx, 'json')) {
    const { firmwareId, productKey, size, md5, verifyJobId } = uploaded;
    writeJson(ctx.io, { firmwareId, version, productKey, size, md5, verifyJobId });
  } else {
    const verified = uploaded.verifyJobId ? `, verified by job ${uploaded.verifyJobId}` : input.needToVerify ? ', not verified yet' : '';
    ctx.io.stdout.write(`Firmware ${version} uploaded as ID ${uploaded.firmwareId} (${uploaded.size} bytes, MD5 ${uploaded.md5}${verified}).\n`);
  }
  return 0;
}

async function remove(ctx: CommandContext): Promise<number> {
  const [firmwareId] = positionals(ctx, ['FIRMWARE_ID']);
  await withAliyun(ctx, (session) => deleteFirmware(session.client, firmwareId, { signal: ctx.signal }));
  if (flag(ctx, 'json')) writeJson(ctx.io, { firmwareId, deleted: true });
  else ctx.io.stdout.write(`Firmware ${firmwareId} deleted.\n`);
  return 0;
}

export const firmwareUploadCommand: CommandSpec = {
  words: ['firmware', 'upload'],
  positionals: 'FILE',
  summary: 'Upload a firmware image (byte progress on stderr) and create the firmware package; --json prints {firmwareId}.',
  options: { ...UPLOAD_OPTIONS, 'src-version': SRC_VERSION_UPLOAD, ...POLL_OPTIONS },
  run: upload,
};

export const firmwareDeleteCommand: CommandSpec = {
  words: ['firmware', 'delete'],
  positionals: 'FIRMWARE_ID',
  summary: 'Delete a firmware package (refused while one of its jobs runs).',
  run: remove,
};
