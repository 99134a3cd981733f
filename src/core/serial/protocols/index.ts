// The flashing protocols the session can run. Adding one: write its module, add it here.

import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { espProtocol } from './esp/espProtocol';
import { mcubootProtocol } from './mcuboot/mcuboot';
import { quecthingProtocol } from './quecthing';
import { stm32Protocol } from './stm32/protocol';
import { streamProtocol } from './stream';
import { type FlashProtocol } from './types';
import { ymodemProtocol } from './ymodem';

export const FLASH_PROTOCOLS: readonly FlashProtocol[] = [quecthingProtocol, ymodemProtocol, stm32Protocol, mcubootProtocol, streamProtocol, espProtocol];

/** The protocol with this id; an `invalid-input` OtaError naming the known ids otherwise. */
export function findProtocol(id: string, protocols: readonly FlashProtocol[] = FLASH_PROTOCOLS): FlashProtocol {
  const found = protocols.find((p) => p.id === id);
  if (!found) {
    throw new OtaError('invalid-input', say`Unknown flashing protocol "${id}". Use one of: ${protocols.map((p) => p.id).join(', ')}.`);
  }
  return found;
}
