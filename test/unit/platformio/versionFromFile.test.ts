import * as assert from 'node:assert/strict';
import { firmwareNameFromFile, versionFromFileName } from '../../../src/core/platformio/version';
import { validateAliyunVersion } from '../../../src/core/cloud/versionRules';

describe('platformio/version of an image file', () => {
  it('reads the version at the end of the file name', () => {
    assert.equal(versionFromFileName('blink-esp32dev-1.4.2.bin'), '1.4.2');
    assert.equal(versionFromFileName('app_v2.0.1-rc1.hex'), '2.0.1-rc1');
    assert.equal(versionFromFileName('plug-main-1.2.0.bin'), '1.2.0');
    assert.equal(versionFromFileName('fw 10.3.bin'), '10.3');
  });

  it('finds none where the name has no version (the user is asked)', () => {
    assert.equal(versionFromFileName('firmware.bin'), undefined);
    assert.equal(versionFromFileName('esp32dev.bin'), undefined);
    assert.equal(versionFromFileName('build2.bin'), undefined);
  });

  it('every version it reads is one Alibaba accepts', () => {
    for (const f of ['blink-esp32dev-1.4.2.bin', 'app_v2.0.1-rc1.hex', 'x-1.0.0-beta.2.bin']) {
      const v = versionFromFileName(f);
      assert.ok(v, f);
      assert.equal(validateAliyunVersion(v), undefined, `${f}: ${v}`);
    }
  });

  it('names the firmware after the file without extension and version', () => {
    assert.equal(firmwareNameFromFile('blink-esp32dev-1.4.2.bin', '1.4.2'), 'blink-esp32dev');
    assert.equal(firmwareNameFromFile('app_v2.0.1-rc1.hex', '2.0.1-rc1'), 'app');
    assert.equal(firmwareNameFromFile('firmware.bin', '3.0.0'), 'firmware');
    assert.equal(firmwareNameFromFile('1.4.2.bin', '1.4.2'), '1.4.2');
    assert.equal(firmwareNameFromFile(`${'a'.repeat(60)}.bin`, '1.0').length, 40);
  });
});
