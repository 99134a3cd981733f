// The questions of a deploy, each skipped when its answer was given as an argument: which account, product,
// version, which devices, and whether to verify first. Answers that are likely the same next time are remembered
// per workspace.
import * as vscode from 'vscode';
import type { Firmware } from '../../core/model';
import { parseDeviceList, type JobPlan, type VerifyPlan } from '../../core/deploy';
import { validateAliyunVersion } from '../../core/cloud/versionRules';
import { need } from '../common/errors';
import { spoken } from '../common/spoken';


export async function askProduct(firmware: Firmware[], state: vscode.Memento): Promise<string> {
  const products = new Map<string, string | null>();
  for (const f of firmware) if (f.productKey) products.set(f.productKey, products.get(f.productKey) ?? f.productName);
  const last = state.get<string>('ota.deploy.productKey');
  type Item = vscode.QuickPickItem & { key?: string };
  const items: Item[] = [...products].map(([key, name]) => ({ label: name ?? key, description: key === last ? vscode.l10n.t('{0} · last used', key) : key, key }));
  items.sort((a, b) => (a.key === last ? -1 : b.key === last ? 1 : a.label.localeCompare(b.label)));
  items.push({ label: vscode.l10n.t('$(edit) Enter a ProductKey…') });
  const picked = need(await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Deploy to which product?'), matchOnDescription: true }));
  const key =
    picked.key ??
    need(await vscode.window.showInputBox({ title: 'ProductKey', prompt: vscode.l10n.t('The ProductKey of the product in IoT Platform'), validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a ProductKey')) })).trim();
  await state.update('ota.deploy.productKey', key);
  return key;
}

export async function askVersion(suggested: string | undefined, source: string | undefined): Promise<string> {
  const value = await vscode.window.showInputBox({
    title: vscode.l10n.t('Firmware version'),
    value: suggested ?? '',
    prompt: suggested
      ? vscode.l10n.t('From {0}; edit if needed. Letters, digits, . _ - (at most 64).', source ?? vscode.l10n.t('the project'))
      : vscode.l10n.t('No version found in settings, build flags or git. Letters, digits, . _ - (at most 64).'),
    validateInput: (v) => {
      const problem = validateAliyunVersion(v.trim());
      return problem && spoken(problem);
    },
  });
  return need(value).trim();
}

export async function askTarget(): Promise<JobPlan> {
  const picked = need(
    await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('All devices'), description: vscode.l10n.t('every device of the product'), id: 'ALL' as const },
        { label: vscode.l10n.t('Specific devices…'), description: vscode.l10n.t('names you type (up to 200)'), id: 'SPECIFIC' as const },
        { label: vscode.l10n.t('A percentage…'), description: vscode.l10n.t('a gray rollout to a share of the devices'), id: 'GRAY' as const },
        { label: vscode.l10n.t('A device group…'), description: vscode.l10n.t('by group id'), id: 'GROUP' as const },
      ],
      { title: vscode.l10n.t('Deploy to which devices?') },
    ),
  );
  if (picked.id === 'ALL') return { target: 'ALL' };
  if (picked.id === 'SPECIFIC') {
    const text = need(await vscode.window.showInputBox({ title: vscode.l10n.t('Device names'), prompt: vscode.l10n.t('Separated by commas or spaces'), validateInput: (v) => (parseDeviceList(v).length ? undefined : vscode.l10n.t('Enter at least one device name')) }));
    return { target: 'SPECIFIC', deviceNames: parseDeviceList(text) };
  }
  if (picked.id === 'GRAY') {
    const text = need(
      await vscode.window.showInputBox({
        title: vscode.l10n.t('Percentage of devices'),
        value: '10',
        validateInput: (v) => (/^\d{1,3}(\.\d{1,3})?$/.test(v.trim()) && Number(v) > 0 && Number(v) <= 100 ? undefined : vscode.l10n.t('A number above 0 and at most 100, with at most 3 decimals')),
      }),
    );
    return { target: 'GRAY', grayPercent: text.trim() };
  }
  const group = need(await vscode.window.showInputBox({ title: vscode.l10n.t('Group id'), validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a group id')) }));
  return { target: 'GROUP', groupId: group.trim() };
}

/** Verify first on a few devices, or upload without verification. */
export async function askVerification(state: vscode.Memento): Promise<VerifyPlan | null> {
  const last = state.get<string>('ota.deploy.verifyDevices');
  const picked = need(
    await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('Upload without verification'), description: vscode.l10n.t('the firmware can be deployed at once'), verify: false },
        { label: vscode.l10n.t('Verify on devices first…'), description: last ? vscode.l10n.t('last: {0}', last) : vscode.l10n.t('IoT Platform tries it on 1-10 devices'), verify: true },
      ],
      { title: vscode.l10n.t('Verify the firmware before the rollout?') },
    ),
  );
  if (!picked.verify) return null;
  const text = need(await vscode.window.showInputBox({ title: vscode.l10n.t('Devices to verify on (1-10)'), value: last ?? '', validateInput: (v) => { const n = parseDeviceList(v).length; return n >= 1 && n <= 10 ? undefined : vscode.l10n.t('Name 1 to 10 devices'); } }));
  await state.update('ota.deploy.verifyDevices', text);
  return { deviceNames: parseDeviceList(text), timeoutInMinutes: 60 };
}
