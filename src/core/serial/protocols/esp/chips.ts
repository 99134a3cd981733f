// Espressif chips the esp protocol flashes, as the CLI names them and as esptool-js reports them, and the USB
// bridges people flash them through.

export const ESP_CHIP_IDS = ['auto', 'esp32', 'esp32s2', 'esp32s3', 'esp32c3', 'esp32c6', 'esp8266'] as const;
export type EspChipId = (typeof ESP_CHIP_IDS)[number];

/** esptool-js's CHIP_NAME for each id. */
const CHIP_NAMES: Record<Exclude<EspChipId, 'auto'>, string> = {
  esp32: 'ESP32',
  esp32s2: 'ESP32-S2',
  esp32s3: 'ESP32-S3',
  esp32c3: 'ESP32-C3',
  esp32c6: 'ESP32-C6',
  esp8266: 'ESP8266',
};

export function chipNameOf(id: Exclude<EspChipId, 'auto'>): string {
  return CHIP_NAMES[id];
}

/** The CLI id of an esptool-js chip name ("ESP32-S3" -> "esp32s3"), or the name lower-cased without dashes. */
export function chipIdOf(chipName: string): string {
  return chipName.toLowerCase().replace(/-/g, '');
}

/** Where PlatformIO and esptool put an ESP32 application when nothing says otherwise. */
export const DEFAULT_APP_OFFSET = 0x10000;

/** USB bridges found on ESP boards, by vendor id (and product ids when the vendor makes other things too). */
const USB_BRIDGES: readonly { vendorId: string; productIds: readonly string[] | null; name: string }[] = [
  { vendorId: '303a', productIds: null, name: 'Espressif USB' },
  { vendorId: '10c4', productIds: ['ea60'], name: 'CP210x' },
  { vendorId: '1a86', productIds: ['7523', '55d4'], name: 'CH34x' },
  { vendorId: '0403', productIds: ['6001', '6015'], name: 'FTDI' },
];

/** "CP210x", "Espressif USB"... for a VID:PID an ESP board typically has, or null. */
export function espBridgeName(vendorId: string | null, productId: string | null): string | null {
  if (!vendorId) return null;
  const vid = vendorId.toLowerCase();
  const pid = productId?.toLowerCase() ?? null;
  const found = USB_BRIDGES.find((b) => b.vendorId === vid && (b.productIds === null || (pid !== null && b.productIds.includes(pid))));
  return found?.name ?? null;
}

/** The Espressif USB-Serial/JTAG peripheral (C3, C6, S3...), which needs its own reset sequence. */
export function isUsbSerialJtag(vendorId: string | null, productId: string | null): boolean {
  return vendorId?.toLowerCase() === '303a' && productId?.toLowerCase() === '1001';
}
