// Commands of staged rollouts: start one (from the palette, a plan file, or a firmware of the Cloud view), open a
// rollout's dashboard, open a plain job's dashboard. The dashboards themselves: ../rollout/rolloutDashboards.ts.
import * as vscode from 'vscode';
import { firmwareTarget, jobTarget } from '../cloud/targets';
import type { OtaCommand } from './command';
import type { Features } from './features';

export function rolloutCommands({ rollouts }: Features): OtaCommand[] {
  return [
    {
      id: 'ota.rollout.start',
      run: (arg?: unknown) => rollouts.start(typeof arg === 'string' ? arg : firmwareTarget(arg)),
    },
    {
      id: 'ota.rollout.open',
      run: async (arg?: unknown) => rollouts.openRollout(typeof arg === 'string' ? arg : await rollouts.pickRollout()),
    },
    {
      id: 'ota.job.openDashboard',
      run: (arg?: unknown) => {
        const t = jobTarget(arg);
        if (!t) throw new Error(vscode.l10n.t('Choose a job in the OTA Cloud view first.'));
        return rollouts.openJob(t);
      },
    },
  ];
}
