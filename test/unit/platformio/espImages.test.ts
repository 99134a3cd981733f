// PlatformIO's ESP32 image set from `pio project metadata --json-output`: the shape it prints, and what is refused.
import * as assert from 'node:assert/strict';
import { parseEspMetadata } from '../../../src/core/platformio/espImages';

describe('ESP image set from pio project metadata', () => {
  it('reads flash_images and the application offset', () => {
    const plan = parseEspMetadata(
      {
        esp32dev: {
          prog_path: '/p/.pio/build/esp32dev/firmware.elf',
          extra: {
            flash_images: [
              { offset: '0x1000', path: '/p/.pio/build/esp32dev/bootloader.bin' },
              { offset: '0x8000', path: '/p/.pio/build/esp32dev/partitions.bin' },
              { offset: '0xe000', path: '/home/u/.platformio/packages/framework-arduinoespressif32/tools/partitions/boot_app0.bin' },
            ],
            application_offset: '0x20000',
          },
        },
      },
      'esp32dev',
    );
    assert.deepEqual(plan.images.map((i) => i.address), [0x1000, 0x8000, 0xe000]);
    assert.equal(plan.appOffset, 0x20000);
    assert.equal(plan.progPath, '/p/.pio/build/esp32dev/firmware.elf');
  });

  it('puts the application at 0x10000 when the metadata does not say, and takes no images for other platforms', () => {
    const plan = parseEspMetadata({ nodemcuv2: { prog_path: '/p/firmware.elf', extra: { flash_images: [] } } }, 'nodemcuv2');
    assert.deepEqual(plan.images, []);
    assert.equal(plan.appOffset, 0x10000);
  });

  it('refuses JSON of another shape, naming what is wrong', () => {
    assert.throws(() => parseEspMetadata([], 'esp32dev'), /no entry for environment "esp32dev"/);
    assert.throws(() => parseEspMetadata({ esp32dev: { extra: { flash_images: {} } } }, 'esp32dev'), /flash_images is not a list/);
    assert.throws(() => parseEspMetadata({ esp32dev: { extra: { flash_images: [{ offset: 'x', path: '/b.bin' }] } } }, 'esp32dev'), /offset "x"/);
    assert.throws(() => parseEspMetadata({ esp32dev: { extra: { flash_images: [{ offset: '0x1000' }] } } }, 'esp32dev'), /has no path/);
  });
});
