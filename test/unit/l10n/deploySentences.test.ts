// A deploy's sentences in another language: the whole pipeline (PlatformIO build, upload, verify, job, follow)
// against the sandbox on loopback, and the refusals that come before anything is sent, through a translator that
// keeps no letter of a known template. Every step the deploy reports, its summary and its errors were said through
// say`…` and hold no English sentence once retold: a Chinese VS Code shows them in Chinese.
import assert from 'node:assert/strict';
import { SANDBOX_DEMO } from '../../../src/core/cloud/sandbox';
import { DeployError } from '../../../src/core/deploy/errors';
import { deploy } from '../../../src/core/deploy/pipeline';
import { retell, saidAs } from '../../../src/core/sentences';
import { openDeploySandbox, names, type DeploySandbox } from '../deploy/helpers';
import { FAKE_PIO, fakePioEnv, TempDirs } from '../platformio/helpers';
import { l10nKeys } from './l10nKeys';

const KEYS = new Set(l10nKeys().keys());
const CHINESE_LIKE = (template: string, ...values: string[]): string =>
  (KEYS.has(template) ? template.replace(/[A-Za-z]/g, '字') : template).replace(/\{(\d+)\}/g, (m, i: string) => values[Number(i)] ?? m);
/** English words in a row, the last two in lower case: a sentence. */
const ENGLISH = /[A-Za-z][a-z]+,? [a-z]{2,}[,:;]? [a-z]{2,}/;
/** An English word (not a name with a dot or a path). */
const WORD = /(?<![\w./+-])[A-Za-z][a-z]{2,}(?![\w./])/;
const WX = SANDBOX_DEMO.weather.productKey;

function assertRetold(texts: readonly string[], what: string): void {
  assert.ok(texts.length > 0, `${what}: nothing was said`);
  for (const text of new Set(texts)) {
    if (WORD.test(text)) assert.ok(saidAs(text) ?? KEYS.has(text), `${what}: "${text}" was not said through say\`…\``);
    const told = retell(text, CHINESE_LIKE);
    assert.doesNotMatch(told, ENGLISH, `${what}: "${text}" stays English in another language (retold: "${told}")`);
  }
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof DeployError, String(e));
    return e.message;
  }
  return assert.fail('expected a refusal');
}

describe('the sentences of a deploy, in another language', function () {
  this.timeout(60_000);
  const temp = new TempDirs();
  let t: DeploySandbox;
  before(async () => {
    t = await openDeploySandbox();
  });
  after(async () => {
    await t.dispose();
    temp.cleanup();
  });

  it('build, upload, verify, job and follow: every step and the summary', async () => {
    const steps: string[] = [];
    const result = await deploy(
      t.client,
      {
        build: { pio: FAKE_PIO, projectDir: temp.project('blink'), env: 'esp32dev', processEnv: fakePioEnv() },
        upload: { version: '2.4.2', productKey: WX, moduleName: 'mcu', description: 'blink' },
        verify: { deviceNames: ['wx-0001', 'wx-0002'], timeoutInMinutes: 30 },
        job: { target: 'SPECIFIC', deviceNames: names('wx-', 1, 6), timeoutInMinutes: 60 },
        guard: { maxFailurePercent: 50, minFinished: 3 },
      },
      { wait: t.tick, onStep: (s) => steps.push(s.message) },
    );
    assert.equal(result.rollout?.outcome, 'completed');
    assertRetold([...steps, result.summary], 'deploy');
  });

  it('refusals before anything is sent: a bad version, a job on firmware nobody verified', async () => {
    const bad = await refusal(
      deploy(t.client, {
        build: { pio: FAKE_PIO, projectDir: temp.project('blink'), env: 'esp32dev', processEnv: fakePioEnv() },
        upload: { version: '1.4.2 (beta)', productKey: WX, needToVerify: false },
      }),
    );
    const file = await t.image('needs-verify.bin', 1000);
    const unverified = await refusal(deploy(t.client, { upload: { file, version: '2.5.0', productKey: WX }, job: { target: 'ALL' } }));
    assertRetold([bad, unverified], 'refusals');
  });
});
