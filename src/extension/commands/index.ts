// Every command of the extension, grouped by what it acts on, in one table registered with one wrapper
// (command.ts): a new command goes into its noun's module, nowhere else. package.json's contributes.commands
// lists the same ids (test/integration/suite/activation.test.ts checks each is registered).
import type { OtaCommand } from './command';
import type { Features } from './features';
import { accountCommands } from './account';
import { buildCommands } from './build';
import { firmwareCommands } from './firmware';
import { jobCommands } from './job';
import { mcubootCommands } from './mcuboot';
import { portCommands } from './port';
import { rolloutCommands } from './rollout';
import { viewCommands } from './view';
import { walkthroughCommands } from './walkthrough';

export function commandTable(features: Features): OtaCommand[] {
  return [
    ...accountCommands(features),
    ...firmwareCommands(features),
    ...jobCommands(features),
    ...rolloutCommands(features),
    ...buildCommands(features),
    ...portCommands(features),
    ...mcubootCommands(features),
    ...viewCommands(features),
    ...walkthroughCommands(features),
  ];
}
