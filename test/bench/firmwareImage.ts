// A typical firmware image for the benchmarks, built from C sources with Debian's arm-none-eabi-gcc: the
// application in test/bench/firmware/ (shell, sensor drivers with float maths and printf, vendor-HAL style
// peripheral set-up, a web page and JSON templates) plus the OTA stream agent, for a Cortex-M4F at -Os with
// newlib-nano, as PlatformIO builds them; the flat .bin that would be flashed.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

export function buildFirmwareImage(dir: string): Buffer {
  const src = join(ROOT, 'test', 'bench', 'firmware');
  const agent = join(ROOT, 'agent');
  const elf = join(dir, 'firmware.elf');
  const bin = join(dir, 'firmware.bin');
  const cc = spawnSync('arm-none-eabi-gcc', [
    '-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-Os', '-ffunction-sections', '-fdata-sections',
    '-Wall', '-Wno-unused-function', `-I${join(agent, 'include')}`, `-I${join(agent, 'src')}`,
    '--specs=nano.specs', '--specs=nosys.specs', '-u', '_printf_float', '-Wl,--gc-sections', '-Wl,-N', '-o', elf,
    join(src, 'app.c'), join(src, 'periph.c'), join(src, 'hal.c'),
    ...['ota_agent.c', 'ota_inflate.c', 'ota_sha256.c', 'ota_crc32.c', 'ota_ring.c'].map((f) => join(agent, 'src', f)),
    join(agent, 'port', 'cortex-m', 'hal_stm32f4.c'), '-lm',
  ], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) throw new Error(`arm-none-eabi-gcc could not build the firmware image: ${cc.error?.message ?? ''}${cc.stderr}`);
  const objcopy = spawnSync('arm-none-eabi-objcopy', ['-O', 'binary', elf, bin], { encoding: 'utf8' });
  if (objcopy.error || objcopy.status !== 0) throw new Error(`arm-none-eabi-objcopy failed: ${objcopy.error?.message ?? ''}${objcopy.stderr}`);
  return readFileSync(bin);
}
