// Virtual devices offered as ports (the sandbox lists them next to real ports): opening one starts a fresh
// simulated device on the other end of an in-process link, paced at the chosen baud rate like a real UART.

import { type ByteLink } from '../byteLink';
import { type VirtualPort } from '../ports';
import { type SerialSettings } from '../transport';
import { createVirtualLinkPair } from '../virtualLink';
import { type QuecMcuOptions, type QuecMcuResult, runQuecMcu } from './quecMcu';
import { runStm32Bootloader, type Stm32BootloaderOptions, type Stm32BootloaderResult } from './stm32Bootloader';
import { SmpDevice, type SmpDeviceOptions } from './smpDevice';
import { receiveYmodem, type YmodemReceiveResult, type YmodemReceiverOptions } from './ymodemReceiver';

interface VirtualDeviceOptions<R> {
  /** Default "virtual:<protocol>". */
  path?: string;
  label?: string;
  description?: string;
  /** Deliver at baud/10 bytes per second (default true); false = as fast as possible. */
  paced?: boolean;
  /** Called when the device has finished one run (one flash). */
  onResult?: (result: R) => void;
}

export interface VirtualQuecthingPortOptions extends VirtualDeviceOptions<QuecMcuResult> {
  mcu?: QuecMcuOptions;
}

export interface VirtualStm32PortOptions extends VirtualDeviceOptions<Stm32BootloaderResult> {
  bootloader?: Stm32BootloaderOptions;
}

export interface VirtualYmodemPortOptions extends VirtualDeviceOptions<YmodemReceiveResult> {
  receiver?: YmodemReceiverOptions;
}

function virtualPort<R>(
  defaults: { path: string; label: string; description: string },
  o: VirtualDeviceOptions<R>,
  runDevice: (link: ByteLink) => Promise<R>,
): VirtualPort {
  const path = o.path ?? defaults.path;
  return {
    path,
    label: o.label ?? defaults.label,
    description: o.description ?? defaults.description,
    open(settings: Required<SerialSettings>) {
      const [host, device] = createVirtualLinkPair({
        names: [path, `${path} (device side)`],
        ...(o.paced === false ? {} : { bytesPerSecond: settings.baudRate / 10 }),
      });
      void runDevice(device).then(
        (result) => o.onResult?.(result),
        () => undefined,
      );
      return Promise.resolve(host);
    },
  };
}

/** A virtual MCU that updates itself through the Quectel AT flow (checks MD5/SHA-256 of what it read). */
export function createVirtualQuecthingPort(options: VirtualQuecthingPortOptions = {}): VirtualPort {
  return virtualPort(
    {
      path: 'virtual:quecthing-mcu',
      label: 'Virtual MCU (Quectel OTA)',
      description: 'simulated MCU that reads the image over AT commands · virtual:quecthing-mcu',
    },
    options,
    (link) => runQuecMcu(link, { flashWriteDelayMs: 5, ...options.mcu }),
  );
}

/** A virtual bootloader that receives the image with YMODEM. */
export function createVirtualYmodemPort(options: VirtualYmodemPortOptions = {}): VirtualPort {
  return virtualPort(
    {
      path: 'virtual:ymodem-bootloader',
      label: 'Virtual bootloader (YMODEM)',
      description: 'simulated bootloader that receives YMODEM · virtual:ymodem-bootloader',
    },
    options,
    (link) => receiveYmodem(link, options.receiver),
  );
}

/** A virtual STM32 in its system bootloader (BOOT0 high, reset done): an F411 that speaks AN3155 over its USART. */
export function createVirtualStm32Port(options: VirtualStm32PortOptions = {}): VirtualPort {
  return virtualPort(
    {
      path: 'virtual:stm32-bootloader',
      label: 'Virtual STM32 (system bootloader)',
      description: 'simulated STM32F411 in its USART bootloader (AN3155) · virtual:stm32-bootloader',
    },
    options,
    (link) => runStm32Bootloader(link, { model: 'f411', writeMsPer256: 1, eraseMsPerUnit: 20, ...options.bootloader }),
  );
}

export interface VirtualMcubootPortOptions extends VirtualDeviceOptions<void> {
  device?: SmpDeviceOptions;
}

/**
 * A virtual Zephyr board with MCUboot and an SMP server on its console. One device behind every open: it keeps its
 * slots (and the version it runs) across flashes, as a board does.
 */
export function createVirtualMcubootPort(options: VirtualMcubootPortOptions = {}): VirtualPort {
  const device = new SmpDevice({ bufSize: 2048, writeMsPerKiB: 2, ...options.device });
  return virtualPort(
    {
      path: 'virtual:mcuboot-board',
      label: 'Virtual board (MCUboot, SMP)',
      description: 'simulated Zephyr board with MCUboot and an mcumgr SMP server · virtual:mcuboot-board',
    },
    options,
    (link) => device.attach(link),
  );
}
