// The stream protocol (`--protocol stream`): windowed, optionally compressed, resumable transfer to the C agent
// in agent/. Options here; the sender is streamSender.ts; the wire format is streamFrames.ts.

import { boolOption, choiceOption, intOption, rejectUnknownOptions } from './options';
import { StreamSender, type StreamOptions } from './streamSender';
import { type FlashContext, type FlashOptionBag, type FlashProtocol } from './types';

const KNOWN = [
  'compression',
  'windowBits',
  'windowFrames',
  'frameBytes',
  'resume',
  'startTimeoutMs',
  'ackTimeoutMs',
  'maxRetries',
  'resultTimeoutMs',
] as const;
const HOUR = 3_600_000;

export function resolveStreamOptions(bag: FlashOptionBag): StreamOptions {
  rejectUnknownOptions(bag, KNOWN, 'stream');
  return {
    compression: choiceOption(bag, 'compression', 'auto', ['auto', 'on', 'off'] as const),
    windowBits: intOption(bag, 'windowBits', 12, 9, 12),
    windowFrames: intOption(bag, 'windowFrames', 0, 0, 255),
    frameBytes: intOption(bag, 'frameBytes', 0, 0, 65535),
    resume: boolOption(bag, 'resume', true),
    startTimeoutMs: intOption(bag, 'startTimeoutMs', 10_000, 1, HOUR),
    ackTimeoutMs: intOption(bag, 'ackTimeoutMs', 2000, 50, HOUR),
    maxRetries: intOption(bag, 'maxRetries', 10, 0, 1000),
    resultTimeoutMs: intOption(bag, 'resultTimeoutMs', 60_000, 1, HOUR),
  };
}

export const streamProtocol: FlashProtocol = {
  id: 'stream',
  label: 'Stream (OTA agent)',
  description:
    'Windowed, compressed and resumable transfer to the OTA stream agent (agent/ in this project); success only when the agent\'s SHA-256 of its flash matches.',
  checkOptions(options, _image) {
    resolveStreamOptions(options);
  },
  run(ctx: FlashContext) {
    return new StreamSender(ctx, resolveStreamOptions(ctx.options)).run();
  },
};
