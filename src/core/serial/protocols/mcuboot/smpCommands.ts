// One-shot SMP commands on an open link, for the Serial view: echo (is an SMP server there, how fast does it
// answer), reset, and the image state. Each says in one sentence what the device answered.

import { type ByteLink } from '../../byteLink';
import { say } from '../../../sentences';
import { describeSlots, type ImageSlotState, SmpClient } from './smpClient';

export interface SmpCommandResult {
  ok: boolean;
  message: string;
  /** The image state, when it was read. */
  slots?: ImageSlotState[];
}

const REQUEST = { timeoutMs: 1500, retries: 1 };

async function withClient(link: ByteLink, signal: AbortSignal, work: (c: SmpClient) => Promise<SmpCommandResult>): Promise<SmpCommandResult> {
  const client = await SmpClient.open(link, signal);
  try {
    return await work(client);
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  } finally {
    client.dispose();
  }
}

/** Sends an SMP echo and reports the answer and its round trip. */
export function smpEcho(link: ByteLink, text: string, signal: AbortSignal): Promise<SmpCommandResult> {
  return withClient(link, signal, async (client) => {
    const started = Date.now();
    const answer = await client.echo(text, REQUEST);
    return { ok: answer === text, message: answer === text ? say`${link.name} answered the SMP echo "${answer}" in ${Date.now() - started} ms.` : say`${link.name} answered the SMP echo with "${answer}" instead of "${text}".` };
  });
}

/** Asks the device to reset, then reads which image it runs once it is back (when it answers within a few seconds). */
export function smpReset(link: ByteLink, signal: AbortSignal): Promise<SmpCommandResult> {
  return withClient(link, signal, async (client) => {
    await client.reset(REQUEST);
    await client.drainQuiet(200, 2000);
    try {
      const slots = await client.readState({ timeoutMs: 1000, retries: 4 });
      const active = slots.find((s) => s.active);
      return { ok: true, slots, message: say`${link.name} reset and now runs ${active ? say`version ${active.version}` : say`no listed image`} (${describeSlots(slots)}).` };
    } catch {
      return { ok: true, message: say`${link.name} accepted the reset; it did not answer SMP within 5 s afterwards.` };
    }
  });
}

/** Reads the image state: what each slot holds. */
export function smpImageState(link: ByteLink, signal: AbortSignal): Promise<SmpCommandResult> {
  return withClient(link, signal, async (client) => {
    const slots = await client.readState(REQUEST);
    return { ok: true, slots, message: say`${link.name}: ${describeSlots(slots)}.` };
  });
}
