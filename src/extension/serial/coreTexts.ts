// The words the core gives the serial UI (protocol names and descriptions, the simulated devices), in the display
// language where a translation exists; anything else (a protocol added later) shows the core's English.
import * as vscode from 'vscode';

const PROTOCOLS: Record<string, () => { label: string; description: string }> = {
  quecthing: () => ({
    label: vscode.l10n.t('Quectel MCU OTA (AT)'),
    description: vscode.l10n.t('Plays the Quectel module: the MCU reads the image with AT+QIOTOTARD and reports its new version when done.'),
  }),
  ymodem: () => ({
    label: 'YMODEM',
    description: vscode.l10n.t('YMODEM batch sender with CRC-16 and 1 KiB blocks, for serial bootloaders that receive YMODEM.'),
  }),
  stm32: () => ({
    label: vscode.l10n.t('STM32 system bootloader (USART, AN3155)'),
    description: vscode.l10n.t('Writes through the ROM bootloader every STM32 has (BOOT0 high, reset), reads it all back to verify, then starts it.'),
  }),
  mcuboot: () => ({
    label: vscode.l10n.t('MCUboot (SMP)'),
    description: vscode.l10n.t('mcumgr image upload over the serial console (Zephyr SMP server, MCUboot serial recovery): checks the slot hash, tests, resets'),
  }),
  esp: () => ({
    label: vscode.l10n.t('ESP ROM loader (esptool)'),
    description: vscode.l10n.t('ESP32, ESP32-S2/S3/C3/C6 and ESP8266 over their ROM bootloader, with the stub flasher and compression; every region MD5-verified.'),
  }),
  stream: () => ({
    label: vscode.l10n.t('Stream (OTA agent)'),
    description: vscode.l10n.t("Windowed, compressed and resumable transfer to the OTA stream agent (agent/ in this project); success only when the agent's SHA-256 of its flash matches."),
  }),
};

const VIRTUAL_PORTS: Record<string, () => { label: string; description: string }> = {
  'virtual:quecthing-mcu': () => ({
    label: vscode.l10n.t('Virtual MCU (Quectel OTA)'),
    description: vscode.l10n.t('simulated MCU that reads the image over AT commands · virtual:quecthing-mcu'),
  }),
  'virtual:ymodem-bootloader': () => ({
    label: vscode.l10n.t('Virtual bootloader (YMODEM)'),
    description: vscode.l10n.t('simulated bootloader that receives YMODEM · virtual:ymodem-bootloader'),
  }),
  'virtual:stm32-bootloader': () => ({
    label: vscode.l10n.t('Virtual STM32 (system bootloader)'),
    description: vscode.l10n.t('simulated STM32F411 in its USART bootloader (AN3155) · virtual:stm32-bootloader'),
  }),
  'virtual:mcuboot-board': () => ({
    label: vscode.l10n.t('Virtual board (MCUboot, SMP)'),
    description: vscode.l10n.t('simulated Zephyr board with MCUboot and an mcumgr SMP server · virtual:mcuboot-board'),
  }),
};

export function protocolText(p: { id: string; label: string; description: string }): { label: string; description: string } {
  return PROTOCOLS[p.id]?.() ?? { label: p.label, description: p.description };
}

export function virtualPortText(p: { path: string; label: string; description: string }): { label: string; description: string } {
  return VIRTUAL_PORTS[p.path]?.() ?? { label: p.label, description: p.description };
}
