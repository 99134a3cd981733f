// The rollout dashboard in another language: a real rollout (the engine against a loopback Alibaba endpoint) stopped
// by its gate, then the view built with a translator that keeps no letter of a template. The summary, the gate
// decisions and texts, the markers, the page's words and the statuses hold no English sentence; and reasons read
// back from the rollout file (said by another process) are recognised by the templates alone.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AliyunRolloutCloud } from '../../../src/core/rollout/aliyunCloud';
import { advanceRollout, createRollout, describe as describeRollout, pauseRollout, rolloutStatus, type RolloutContext } from '../../../src/core/rollout/engine';
import { parsePlan } from '../../../src/core/rollout/plan';
import { rolloutPath } from '../../../src/core/rollout/planFile';
import { recogniser, retell, saidAs } from '../../../src/core/sentences';
import { rolloutView } from '../../../src/extension/rollout/dashboardView';
import { startRecordingFleet, type RecordingFleet } from '../rollout/recordingFleet';
import { l10nKeys } from './l10nKeys';

/** vscode.l10n.t with a bundle of every key, into a script without Latin letters; an unknown template stays as it is. */
const KEYS = new Set(l10nKeys().keys());
const CHINESE_LIKE = (template: string, ...values: Array<string | number>): string =>
  (KEYS.has(template) ? template.replace(/[A-Za-z]/g, '字') : template).replace(/\{(\d+)\}/g, (m, i: string) => String(values[Number(i)] ?? m));

/** English words in a row, the last two in lower case: a sentence (device names and reasons from the cloud are not ours). */
const ENGLISH = /[A-Za-z][a-z]+,? [a-z]{2,}[,:;]? [a-z]{2,}/;

describe('a rollout, in another language', function () {
  this.timeout(60_000);
  let fleet: RecordingFleet;
  let dir: string;
  let ctx: RolloutContext;

  beforeEach(async () => {
    fleet = await startRecordingFleet({ devices: 200, versionOf: () => '1.3.0' });
    dir = await mkdtemp(join(tmpdir(), 'ota-rollout-l10n-'));
    ctx = { cloud: new AliyunRolloutCloud(fleet.rpc), path: rolloutPath(dir, 'plug-1.4'), baseDir: dir, now: () => Date.parse('2026-12-01T08:00:00Z') };
  });

  afterEach(async () => {
    await fleet.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a gate that stops a wave: the dashboard holds no English sentence, and the file’s reasons are recognised', async () => {
    const raw = {
      name: 'plug-1.4',
      firmwareId: 'fw-14',
      productKey: 'pk-plug',
      population: { sourceVersions: ['1.3.0'] },
      waves: [{ devices: ['plug-0001', 'plug-0002'] }, { count: 20 }, { percent: 100 }],
      gates: { minFinishedPercent: 90, maxFailurePercent: 5, minFinished: 5, soakMinutes: 0 },
      seed: 7,
    };
    await createRollout(ctx, raw);
    fleet.settle(() => 'SUCCEEDED');
    await advanceRollout(ctx);
    let n = 0;
    fleet.settle(() => (n++ % 2 ? { status: 'FAILED', desc: 'flash write failed' } : 'SUCCEEDED'));
    const stopped = await advanceRollout(ctx);
    assert.equal(stopped.status, 'paused', stopped.summary);
    const paused = await pauseRollout(ctx);
    const { state } = await rolloutStatus(ctx);
    const plan = parsePlan(raw);

    const retold = (text: string): string => retell(text, CHINESE_LIKE);
    const view = rolloutView(plan, state, new Map(), { t: CHINESE_LIKE, retell: retold });
    const shown = [
      view.title,
      view.subtitle,
      view.summary,
      ...view.waves.flatMap((w) => [w.label, w.gate, w.decision?.reason ?? '', view.statusText[w.status] ?? w.status]),
      ...view.markers.map((m) => m.label),
      ...Object.values(view.words),
      ...Object.values(view.stateText),
      view.statusText[view.status] ?? view.status,
    ];
    for (const text of shown) assert.doesNotMatch(text, ENGLISH, `"${text}" stays English`);
    assert.ok(view.waves.some((w) => w.decision?.result === 'fail'), 'a gate failed');

    // What another process wrote in the file: each reason, event text and summary is recognised by its template.
    const recognise = recogniser(KEYS);
    const texts = [
      state.reason ?? '',
      describeRollout(plan, state),
      paused.summary,
      ...stopped.did,
      ...state.waves.map((w) => w.decision?.reason ?? ''),
      ...state.waves.map((w) => w.label),
      ...state.events.map((e) => e.text),
    ].filter((t) => t !== '');
    assert.ok(texts.length > 5, texts.join('\n'));
    const recognised = (text: string): void => {
      assert.ok(saidAs(text), `the engine said "${text}" without say\`…\``);
      const found = recognise(text) ?? (saidAs(text)?.template.includes('{') ? undefined : saidAs(text));
      assert.ok(found, `"${text}" is not recognised`);
      assert.equal(fill(found.template, found.values), text, `"${text}" is recognised as ${found.template}`);
      // A sentence inside the sentence (the gate's reason in the summary) is recognised in turn.
      for (const v of found.values) if (saidAs(v)?.template.match(/\p{L}{3}/u)) recognised(v);
    };
    for (const text of texts) recognised(text);
  });
});

function fill(template: string, values: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (_, i: string) => values[Number(i)]);
}
