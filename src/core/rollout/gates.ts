// A wave's gate, judged from its task counts: stop as soon as too many finished devices failed, pass once enough
// devices finished (and enough succeeded), else wait. Pure: the engine decides what to do with the verdict. On a
// cloud that reports deliveries rather than installs (IoTaaP), "finished" is deployed or refused, and the words say so.
import { say } from '../sentences';
import type { ResolvedGates } from './plan';
import type { StateCounts } from './state';

export type GateVerdict = { kind: 'wait' | 'pass' | 'fail'; reason: string };

/** What the counts mean: devices that installed the firmware, or deploys the service accepted. */
export type CountsMean = 'installs' | 'deliveries';

function pct(part: number, whole: number): string {
  if (whole === 0) return '0 %';
  const v = (part * 100) / whole;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} %`;
}

/**
 * @param tasks devices of the wave that have a task
 * @param overridden a person resumed the wave after its gate failed: failures and success rate no longer stop it
 * @param settled every task is final (nothing more will finish)
 */
export function judgeWave(
  counts: StateCounts,
  tasks: number,
  gates: ResolvedGates,
  overridden: boolean,
  settled: boolean,
  mean: CountsMean = 'installs',
): GateVerdict {
  if (tasks === 0) return { kind: 'pass', reason: say`No device of the wave needed the firmware.` };
  const deliveries = mean === 'deliveries';
  const finished = counts.succeeded + (counts.deployed ?? 0) + counts.failed;
  const enough = Math.max(1, Math.min(gates.minFinished, tasks));
  const judged = finished >= enough;
  if (!overridden && judged && counts.failed * 100 > gates.maxFailurePercent * finished) {
    return {
      kind: 'fail',
      reason: deliveries
        ? say`${counts.failed} of ${finished} deploys were refused (${pct(counts.failed, finished)}), more than the ${gates.maxFailurePercent} % the gate allows.`
        : say`${counts.failed} of ${finished} finished devices failed (${pct(counts.failed, finished)}), more than the ${gates.maxFailurePercent} % the gate allows.`,
    };
  }
  const ended = deliveries ? say`were deployed to or refused` : say`finished`;
  if (finished * 100 >= gates.minFinishedPercent * tasks && judged) {
    if (!overridden && counts.succeeded * 100 < gates.minSuccessPercent * tasks) {
      return {
        kind: 'fail',
        reason: say`Only ${counts.succeeded} of ${tasks} devices succeeded (${pct(counts.succeeded, tasks)}), less than the ${gates.minSuccessPercent} % the gate needs.`,
      };
    }
    return {
      kind: 'pass',
      reason: deliveries
        ? say`${finished} of ${tasks} devices ${ended} (${pct(finished, tasks)}): ${counts.deployed ?? 0} deployed, not confirmed by the devices; ${counts.failed} refused (${pct(counts.failed, Math.max(1, finished))} of the deploys).`
        : say`${finished} of ${tasks} devices finished (${pct(finished, tasks)}), ${counts.failed} failed (${pct(counts.failed, Math.max(1, finished))} of the finished).`,
    };
  }
  if (settled) {
    if (overridden) return { kind: 'pass', reason: say`Every task of the wave has ended (${finished} of ${tasks} ${ended}); resumed by a person.` };
    return {
      kind: 'fail',
      reason: say`Every task has ended but only ${finished} of ${tasks} devices ${ended} (${pct(finished, tasks)}); the gate needs ${gates.minFinishedPercent} %.`,
    };
  }
  return {
    kind: 'wait',
    reason: say`${finished} of ${tasks} devices ${ended} (${pct(finished, tasks)}); the gate needs ${gates.minFinishedPercent} %.`,
  };
}
