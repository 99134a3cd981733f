// Tasks per status, and the one-line summary of them that `task list` ends with and `job show` includes.
import { TASK_STATUSES, type Task } from '../../core/model';
import { plural, words } from './format';

/** Tasks per status, as found. */
export function countByStatus(tasks: readonly Task[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of tasks) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return counts;
}

/** "300 tasks: 15 confirm, 30 queued, 150 succeeded": documented statuses in rollout order, then others; none left out. */
export function countsLine(counts: Readonly<Record<string, number>>): string {
  const known = TASK_STATUSES.filter((s) => counts[s]);
  const others = Object.keys(counts)
    .filter((s) => !TASK_STATUSES.includes(s) && counts[s])
    .sort();
  const parts = [...known, ...others].map((s) => `${counts[s]} ${words(s)}`);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return parts.length ? `${plural(total, 'task')}: ${parts.join(', ')}` : plural(total, 'task');
}
