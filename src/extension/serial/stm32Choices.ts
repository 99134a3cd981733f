// The STM32 bootloader's choices in VS Code: its options from the settings (reset wiring, erase mode, address,
// start after flashing), and the offer to remove readout protection when the chip has it, with the warning that
// this erases the whole flash.
import * as vscode from 'vscode';

/** The stm32 protocol's option bag, from the ota.serial.stm32.* settings. */
export function stm32Options(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('ota.serial.stm32');
  const wiring = c.get<string>('reset', 'manual');
  const sequence = c.get<string>('resetSequence', '').trim();
  const options: Record<string, unknown> = {
    reset: wiring === 'custom' ? sequence || 'manual' : wiring,
    erase: c.get<string>('erase', 'pages'),
    go: c.get<boolean>('startAfterFlash', true),
  };
  const address = c.get<string>('address', '').trim();
  if (address && address.toLowerCase() !== '0x08000000') options.address = address;
  return options;
}

/** Asks whether to remove readout protection (mass erase) and flash again; true when the person agreed. */
export async function offerUnprotect(port: string): Promise<boolean> {
  const action = vscode.l10n.t('Unprotect and Flash');
  const picked = await vscode.window.showWarningMessage(
    vscode.l10n.t('The STM32 on {0} is readout-protected, so its bootloader will not write it.', port),
    {
      modal: true,
      detail: vscode.l10n.t('Removing the protection makes the chip erase its whole flash (everything on it is lost), then it is flashed with this image.'),
    },
    action,
  );
  return picked === action;
}
