// The demo project `npm start` opens (and the newcomer UI test uses): the blink PlatformIO project, plus a demo image
// so that a deploy and a flash can be tried without PlatformIO: firmware/blink-esp32dev-1.4.2.bin. The image says
// in its first bytes that it is a demo (src/core/demo/demoImage.ts), and the extension shows it as one.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoImage } from '../../src/core/demo/demoImage';
import { repoRoot } from './codeServer';

export const DEMO_IMAGE_FILE = join('firmware', 'blink-esp32dev-1.4.2.bin');
export const DEMO_IMAGE_SIZE = 64 * 1024;

const README = `# Demo project

A PlatformIO project (an LED that blinks) to try Firmware OTA with, against the built-in **Sandbox** (a local
emulation of Alibaba Cloud IoT OTA with demo products, firmware and devices) and simulated serial devices.

- **OTA: Build, Upload and Deploy** builds \`esp32dev\` with PlatformIO. Without PlatformIO, choose
  *Deploy a File…* and \`${DEMO_IMAGE_FILE.replace(/\\/g, '/')}\`: a demo image, not a program.
- **OTA: Flash Firmware over Serial** flashes an image (this one, or a firmware of the Cloud view) to a port:
  *Virtual MCU (Quectel OTA)* and *Virtual bootloader (YMODEM)* are simulated devices.
- **OTA: Get Started with Firmware OTA** walks through it step by step.
`;

/** Makes (or completes) the demo project in `dir`. */
export function prepareDemoProject(dir: string): void {
  if (!existsSync(join(dir, 'platformio.ini'))) cpSync(join(repoRoot, 'test', 'fixtures', 'pio', 'blink'), dir, { recursive: true });
  const image = join(dir, DEMO_IMAGE_FILE);
  if (!existsSync(image)) {
    mkdirSync(join(dir, 'firmware'), { recursive: true });
    writeFileSync(image, demoImage('blink-esp32dev 1.4.2 (a demo image of the demo project, not a program)', DEMO_IMAGE_SIZE, 0x0b11c));
  }
  if (!existsSync(join(dir, 'README.md'))) writeFileSync(join(dir, 'README.md'), README);
}
