// The stream protocol (`--protocol stream`): windowed, optionally compressed, resumable transfer to the C agent
// in agent/. Options here; the sender is streamSender.ts; the wire format is streamFrames.ts.

import { boolOption, choiceOption, intOption, rejectUnknownOptions } from './options';
import { requireSingleImage } from './regions';
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
  'timeoutMs',
] as const;
const HOUR = 3_600_000;

export function resolveStreamOptions(bag: FlashOptionBag): StreamOptions {
  rejectUnknownOptions(bag, KNOWN, 'stream');
  const common = intOption(bag, 'timeoutMs', 0, 0, HOUR);
  return {
    compression: choiceOption(bag, 'compression', 'auto', ['auto', 'on', 'off'] as const),
    windowBits: intOption(bag, 'windowBits', 12, 9, 12),
    windowFrames: intOption(bag, 'windowFrames', 0, 0, 255),
    frameBytes: intOption(bag, 'frameBytes', 0, 0, 65535),
    resume: boolOption(bag, 'resume', true),
    startTimeoutMs: intOption(bag, 'startTimeoutMs', common || 10_000, 1, HOUR),
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
  cliOptions: [
    { flag: 'compression', key: 'compression', kind: 'string', usage: '--compression auto|on|off', description: 'stream: deflate the image for the agent (auto: when it saves at least 3 %).' },
    { flag: 'window-bits', key: 'windowBits', kind: 'integer', usage: '--window-bits 9..12', description: 'stream: deflate window, 2^N bytes of agent RAM (default 12, capped by the agent).' },
    { flag: 'window-frames', key: 'windowFrames', kind: 'integer', usage: '--window-frames N', description: "stream: frames in flight at most (default: the agent's window)." },
    { flag: 'frame-bytes', key: 'frameBytes', kind: 'integer', usage: '--frame-bytes N', description: "stream: payload bytes per frame (default: the agent's limit)." },
    { flag: 'no-resume', key: 'resume', kind: 'negated', usage: '--no-resume', description: 'stream: start over instead of continuing from what the agent already has.' },
  ],
  checkOptions(options, _image, regions) {
    resolveStreamOptions(options);
    requireSingleImage(regions, 'stream');
  },
  run(ctx: FlashContext) {
    return new StreamSender(ctx, resolveStreamOptions(ctx.options)).run();
  },
};
