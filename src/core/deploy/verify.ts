// Waiting for a verify job: poll QueryOTAFirmware until its Status says verified (1) or failed (3), reporting
// VerifyProgress; a failure names the devices whose verify task failed.
import type { AliyunOtaClient } from '../cloud/aliyun/otaClient';
import { OtaError } from '../errors';
import { say, sayList } from '../sentences';
import type { Firmware } from '../model';
import type { StepReporting } from './events';
import { poller, type PollOptions } from './poll';

/** The verify job's own timeout plus this much, unless PollOptions.timeoutMs says otherwise. */
const VERIFY_WAIT_SLACK_MS = 5 * 60_000;

export async function waitForVerification(
  client: AliyunOtaClient,
  firmwareId: string,
  verifyJobId: string,
  options: StepReporting & PollOptions & { verifyTimeoutInMinutes?: number } = {},
): Promise<Firmware> {
  const { signal } = options;
  const poll = poller(options, signal, (options.verifyTimeoutInMinutes ?? 1440) * 60_000 + VERIFY_WAIT_SLACK_MS);
  let lastProgress = -1;
  for (;;) {
    const firmware = await client.getFirmware(firmwareId, { signal });
    const progress = firmware.verifyProgress ?? 0;
    if (progress !== lastProgress) {
      lastProgress = progress;
      options.onProgress?.({ stage: 'verify', done: progress, total: 100, unit: 'percent' });
    }
    switch (firmware.status) {
      case 'VERIFIED':
      case 'NO_VERIFICATION_NEEDED':
        return firmware;
      case 'VERIFICATION_FAILED':
        throw new OtaError('failed', await verificationFailed(client, verifyJobId, signal), {
          hint: say`Retry the failed tasks of verify job ${verifyJobId} once the devices are reachable, or fix the firmware and upload a new version.`,
        });
      case 'UNVERIFIED': {
        // Not (or no longer) verifying: a verify job that ended without a verdict was cancelled.
        const job = await client.getJob(verifyJobId, { signal });
        if (job.status === 'CANCELED' || job.status === 'COMPLETED') {
          throw new OtaError('failed', say`verify job ${verifyJobId} ended (${job.status}) without verifying the firmware`, {
            hint: say`Run a new verify job.`,
          });
        }
        break;
      }
      default:
        break;
    }
    if (poll.expired()) {
      throw new OtaError('timeout', say`verify job ${verifyJobId} has not finished in time (at ${progress} %); it keeps running in the cloud`, {
        hint: say`Look at the firmware again later; once it is verified, deploy it.`,
      });
    }
    await poll.wait();
  }
}

/** "verification failed", naming the devices whose verify task did not succeed when they can be listed. */
async function verificationFailed(client: AliyunOtaClient, jobId: string, signal: AbortSignal | undefined): Promise<string> {
  let tasks;
  try {
    tasks = (await client.listTasks(jobId, { signal })).filter((t) => t.status !== 'SUCCEEDED');
  } catch {
    return say`verification failed`;
  }
  if (tasks.length === 0) return say`verification failed`;
  const shown = sayList(tasks.slice(0, 10).map((t) => `${t.deviceName} (${t.status}${t.description ? `: ${t.description}` : ''})`));
  return say`verification failed on ${shown}${tasks.length > 10 ? say` and ${tasks.length - 10} more` : ''}`;
}
