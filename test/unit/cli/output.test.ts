// Human output helpers: aligned tables, field lists, and how statuses, times and sizes read.
import * as assert from 'node:assert/strict';
import { formatFields, formatTable } from '../../../src/cli/support/table';
import { plural, size, time, words } from '../../../src/cli/support/format';
import { FIRMWARE_KEYS as CLI_FIRMWARE_KEYS, firmwareJson, taskJson } from '../../../src/cli/support/json';
import { countsLine } from '../../../src/cli/support/taskCounts';
import { parseTaskStatus } from '../../../src/cli/commands/task';
import { defaultSandboxDir } from '../../../src/cli/support/localSandbox';
import type { Firmware, Task } from '../../../src/core/model';
import { FIRMWARE_KEYS, TASK_KEYS } from './helpers';

describe('cli output', () => {
  it('aligns columns, right-aligns numbers, cuts nothing and leaves no trailing spaces', () => {
    const text = formatTable(
      [{ header: 'NAME' }, { header: 'SIZE', align: 'right' }, { header: 'NOTE' }],
      [
        ['a-very-long-firmware-name-that-stays-whole', '1.5 MiB', 'x'],
        ['b', '12 B', ''],
        ['c\nd', '3 B', 'two  words'],
      ],
    );
    assert.equal(
      text,
      [
        'NAME                                           SIZE  NOTE',
        'a-very-long-firmware-name-that-stays-whole  1.5 MiB  x',
        'b                                              12 B',
        'c d                                             3 B  two words',
        '',
      ].join('\n'),
    );
  });

  it('lists fields with aligned labels and indented continuation lines', () => {
    assert.equal(formatFields([['ID', '1'], ['Description', 'one\ntwo']]), 'ID:           1\nDescription:  one\n              two\n');
  });

  it('reads statuses as words, times as UTC, sizes in binary units', () => {
    assert.equal(words('IN_PROGRESS'), 'in progress');
    assert.equal(words('NO_VERIFICATION_NEEDED'), 'no verification needed');
    assert.equal(words('SOMETHING_NEW'), 'something new');
    assert.equal(words(''), '-');
    assert.equal(words(null), '-');
    assert.equal(time('2024-11-11T11:11:11.000Z'), '2024-11-11 11:11:11');
    assert.equal(time('yesterday'), 'yesterday');
    assert.equal(time(null), '-');
    assert.equal(size(512), '512 B');
    assert.equal(size(49152), '48.0 KiB');
    assert.equal(size(1572864), '1.5 MiB');
    assert.equal(size(null), '-');
    assert.equal(plural(1, 'task'), '1 task');
    assert.equal(plural(2, 'task'), '2 tasks');
  });

  it('counts tasks in rollout order, unknown statuses last, none left out', () => {
    assert.equal(countsLine({ FAILED: 2, QUEUED: 1, LOST: 3, SUCCEEDED: 0 }), '6 tasks: 1 queued, 2 failed, 3 lost');
    assert.equal(countsLine({}), '0 tasks');
  });

  it('accepts task statuses in any spelling', () => {
    assert.equal(parseTaskStatus('in progress'), 'IN_PROGRESS');
    assert.equal(parseTaskStatus('in-progress'), 'IN_PROGRESS');
    assert.equal(parseTaskStatus('Succeeded'), 'SUCCEEDED');
    assert.throws(() => parseTaskStatus('DONE'), /unknown task status 'DONE'/);
  });

  it('projects the model onto exactly the contract keys, in order', () => {
    assert.deepEqual([...CLI_FIRMWARE_KEYS], FIRMWARE_KEYS);
    const firmware: Firmware = {
      modifiedAt: null,
      id: 'f',
      name: 'n',
      version: '1',
      srcVersion: null,
      size: 1,
      sign: null,
      signMethod: null,
      status: 'VERIFIED',
      type: 'full',
      productKey: null,
      productName: null,
      moduleName: null,
      description: null,
      url: null,
      createdAt: null,
      verifyProgress: 100,
      udi: 'extra',
    };
    assert.deepEqual(Object.keys(firmwareJson(firmware)), FIRMWARE_KEYS);
    const task = { id: 't', jobId: 'j', deviceName: 'd', productKey: null, status: 'X', progress: '42', description: null, srcVersion: null, destVersion: null, modifiedAt: null, iotId: 'i' };
    const json = taskJson(task as unknown as Task);
    assert.deepEqual(Object.keys(json), TASK_KEYS);
    assert.equal(json.progress, 42);
  });

  it('keeps the default sandbox folder under XDG_DATA_HOME, ~/.local/share or LOCALAPPDATA', () => {
    assert.equal(defaultSandboxDir({ XDG_DATA_HOME: '/x/data', HOME: '/home/u' }, 'linux'), '/x/data/firmware-ota/sandbox');
    assert.equal(defaultSandboxDir({ XDG_DATA_HOME: 'relative', HOME: '/home/u' }, 'linux'), '/home/u/.local/share/firmware-ota/sandbox');
    assert.equal(defaultSandboxDir({ HOME: '/home/u' }, 'darwin'), '/home/u/.local/share/firmware-ota/sandbox');
    assert.equal(defaultSandboxDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32'), 'C:\\Users\\u\\AppData\\Local\\firmware-ota\\sandbox');
  });
});
