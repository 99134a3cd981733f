// The dashboard's view of a rollout: failure reasons grouped with the devices behind them, per-wave rates, the
// chart's columns reaching to now, markers for wave starts and gate decisions, tasks as columns.
import assert from 'node:assert/strict';
import type { Task } from '../../../src/core/model';
import { historyFromTasks, jobView, rolloutView, taskColumns } from '../../../src/extension/rollout/dashboardView';
import { parsePlan } from '../../../src/core/rollout/plan';
import { emptyCounts, type RolloutState } from '../../../src/core/rollout/state';
import { DASHBOARD_STATES, isDashboardPanelMessage } from '../../../src/shared/rolloutDashboardMessages';

function task(device: string, status: string, description: string | null = null, jobId = 'j1'): Task {
  return { id: `t-${device}`, jobId, deviceName: device, productKey: 'pk', status, progress: status === 'SUCCEEDED' ? 100 : 40, description, srcVersion: null, destVersion: null, modifiedAt: null };
}

describe('rollout dashboard view', () => {
  const plan = parsePlan({ name: 'r', firmwareId: 'f', productKey: 'pk', population: {}, waves: [{ count: 2 }, { percent: 100 }], gates: { maxFailurePercent: 5, soakMinutes: 30 } });

  it('groups failures by their TaskDesc, largest first, with the devices and waves behind each', () => {
    const { tasks, failures } = taskColumns(
      new Map([
        [0, new Map([['a', task('a', 'SUCCEEDED')], ['b', task('b', 'FAILED', 'timeout')]])],
        [1, new Map([['c', task('c', 'FAILED', 'flash write failed')], ['d', task('d', 'FAILED', 'flash write failed')], ['e', task('e', 'FAILED', 'timeout')], ['f', task('f', 'QUEUED')]])],
      ]),
    );
    assert.deepEqual(failures, [
      { reason: 'flash write failed', count: 2, devices: ['c', 'd'], waves: [2] },
      { reason: 'timeout', count: 2, devices: ['b', 'e'], waves: [1, 2] },
    ]);
    assert.deepEqual(tasks.devices, ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.deepEqual(tasks.wave, [0, 0, 1, 1, 1, 1]);
    assert.deepEqual(tasks.state.map((i) => DASHBOARD_STATES[i]), ['succeeded', 'failed', 'failed', 'failed', 'failed', 'queued']);
    assert.deepEqual(tasks.reason.map((i) => (i < 0 ? null : tasks.reasons[i])), [null, 'timeout', 'flash write failed', 'flash write failed', 'timeout', null]);
  });

  it('shows per-wave rates, gate decisions as markers, and the chart up to now', () => {
    const t0 = Date.parse('2026-12-01T08:00:00Z');
    const at = (min: number): string => new Date(t0 + min * 60_000).toISOString();
    const state: RolloutState = {
      version: 1,
      runId: 'x',
      status: 'paused',
      pausedBy: 'gate',
      reason: 'the gate of wave 2 failed',
      createdAt: at(0),
      updatedAt: at(10),
      populationSize: 6,
      seed: 1,
      waves: [
        { index: 0, label: 'canary', devices: ['a', 'b'], status: 'passed', jobs: [], pendingJobs: [], jobSerial: 1, startedAt: at(0), soakUntil: null, endedAt: at(2), counts: { ...emptyCounts(), succeeded: 2 }, tasks: 2, left: [], overridden: false, decision: { result: 'pass', at: at(1), reason: 'ok' } },
        { index: 1, label: 'to 100 %', devices: ['c', 'd', 'e', 'f'], status: 'stopped', jobs: [], pendingJobs: [], jobSerial: 1, startedAt: at(3), soakUntil: null, endedAt: null, counts: emptyCounts(), tasks: 4, left: ['f'], overridden: false, decision: { result: 'fail', at: at(5), reason: '3 of 3 failed' } },
      ],
      events: [
        { at: at(0), kind: 'created', wave: null, text: '' },
        { at: at(0), kind: 'wave-started', wave: 0, text: '' },
        { at: at(1), kind: 'gate-passed', wave: 0, text: '' },
        { at: at(3), kind: 'wave-started', wave: 1, text: '' },
        { at: at(5), kind: 'gate-failed', wave: 1, text: '' },
      ],
      history: [{ at: at(0), ...emptyCounts(), queued: 2 }],
    };
    const live = new Map([
      [0, new Map([['a', task('a', 'SUCCEEDED')], ['b', task('b', 'SUCCEEDED')]])],
      [1, new Map([['c', task('c', 'FAILED', 'x')], ['d', task('d', 'FAILED', 'x')], ['e', task('e', 'FAILED', 'x')], ['f', task('f', 'CANCELED')]])],
    ]);
    const v = rolloutView(plan, state, live, { now: () => t0 + 10 * 60_000 });
    assert.deepEqual(v.waves.map((w) => [w.counts.succeeded, w.counts.failed, w.counts.canceled, Math.round(w.failurePercent), Math.round(w.successPercent)]), [
      [2, 0, 0, 0, 100],
      [0, 3, 1, 100, 0],
    ]);
    assert.equal(v.waves[1].left, 1);
    assert.match(v.waves[1].gate, /≤ 5 % failed, 100 % finished, judged after 10 finished, soak 30 min, continues on its own/);
    assert.deepEqual(v.markers.map((m) => `${m.kind} ${m.label}`), ['wave wave 1', 'pass gate 1 ✓', 'wave wave 2', 'fail gate 2 ✗']);
    assert.equal(v.chart.t.length, 2, 'the history sample, then now');
    assert.equal(v.chart.t[1], (t0 + 10 * 60_000) / 1000);
    assert.equal(v.chart.counts.failed[1], 3);
    assert.deepEqual(v.actions, { advance: false, pause: false, resume: true, abort: true, retry: true });
    assert.match(v.summary, /paused at wave 2 of 2: the gate of wave 2 failed/);
  });

  it('a plain job: one wave, its history rebuilt from when its tasks ended, abort and retry offered while it runs', () => {
    const job = { id: 'j1', firmwareId: 'f', status: 'IN_PROGRESS', type: 'UPGRADE_FIRMWARE', selection: 'STATIC', targetSelection: 'ALL', createdAt: '2026-12-01T08:00:00.000Z', startedAt: '2026-12-01T08:00:00.000Z', endedAt: null };
    const tasks = [
      { ...task('a', 'SUCCEEDED'), modifiedAt: '2026-12-01T08:05:00.000Z' },
      { ...task('b', 'FAILED', 'timeout'), modifiedAt: '2026-12-01T08:03:00.000Z' },
      task('c', 'IN_PROGRESS'),
    ];
    const history = historyFromTasks(job, tasks);
    assert.deepEqual(history.map((h) => [h.at.slice(11, 16), h.queued, h.succeeded, h.failed]), [
      ['08:00', 3, 0, 0],
      ['08:03', 2, 0, 1],
      ['08:05', 1, 1, 1],
    ]);
    const v = jobView(job, tasks, history, { now: () => Date.parse('2026-12-01T08:10:00Z') });
    assert.equal(v.kind, 'job');
    assert.equal(v.waves.length, 1);
    assert.deepEqual([v.waves[0].counts.succeeded, v.waves[0].counts.failed, v.waves[0].counts.inProgress], [1, 1, 1]);
    assert.deepEqual(v.failures, [{ reason: 'timeout', count: 1, devices: ['b'], waves: [1] }]);
    assert.deepEqual(v.actions, { advance: false, pause: false, resume: false, abort: true, retry: true });
  });

  it('accepts only the panel messages it knows', () => {
    assert.equal(isDashboardPanelMessage({ type: 'action', action: 'pause' }), true);
    assert.equal(isDashboardPanelMessage({ type: 'action', action: 'rm -rf' }), false);
    assert.equal(isDashboardPanelMessage({ type: 'rendered', phase: 'init', ms: 3 }), true);
    assert.equal(isDashboardPanelMessage({ type: 'rendered', phase: 'later', ms: 3 }), false);
    assert.equal(isDashboardPanelMessage(null), false);
  });
});
